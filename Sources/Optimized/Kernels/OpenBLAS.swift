#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS, opened on demand: the one alternative to `fixedOrderGEMM` (`GEMMEngine.openBLAS`),
/// which `clot bench --suite gemm` and the engine-agreement tests use. No result depends on it,
/// so the library is not linked: a process that never asks for it neither loads it (about 3 ms
/// of relocations, CPU detection and buffer mapping at every start) nor has its worker threads
/// spinning beside the solver's.
public final class OpenBLAS: @unchecked Sendable {
    typealias SGEMM = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
                                      UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    typealias Text = @convention(c) () -> UnsafePointer<CChar>?
    typealias GetThreads = @convention(c) () -> Int32
    typealias SetThreads = @convention(c) (Int32) -> Void

    let sgemm: SGEMM
    private let config: Text, corename: Text, getThreads: GetThreads, setThreads: SetThreads

    /// The library, opened the first time it is asked for; nil when no OpenBLAS is installed.
    public static var shared: OpenBLAS? { opened }
    private static let opened: OpenBLAS? = OpenBLAS()
    /// Whether `shared` has been asked for (so reports can say what ran without opening it).
    nonisolated(unsafe) public private(set) static var hasBeenOpened = false

    private init?() {
        OpenBLAS.hasBeenOpened = true
        // Debian's libopenblas0 provides libopenblas.so.0 (its pthread variant by default).
        let names = ["libopenblas.so.0", "libopenblas.so"]
        guard let handle = names.lazy.compactMap({ (name: String) in dlopen(name, RTLD_NOW | RTLD_LOCAL) }).first else { return nil }
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(handle, name).map { unsafeBitCast($0, to: type) }
        }
        guard let sgemm = symbol("cblas_sgemm", as: SGEMM.self), let config = symbol("openblas_get_config", as: Text.self),
              let corename = symbol("openblas_get_corename", as: Text.self),
              let getThreads = symbol("openblas_get_num_threads", as: GetThreads.self),
              let setThreads = symbol("openblas_set_num_threads", as: SetThreads.self) else { return nil }
        (self.sgemm, self.config, self.corename, self.getThreads, self.setThreads) = (sgemm, config, corename, getThreads, setThreads)
    }

    /// Its build configuration ("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH … Zen MAX_THREADS=64").
    public var configuration: String { config().map { String(cString: $0) } ?? "unknown" }
    /// The version, the second word of the configuration.
    public var version: String {
        let words = configuration.split(separator: " ")
        return words.count > 1 ? String(words[1]) : configuration
    }
    /// The kernel family it picked for this CPU when it loaded (or `OPENBLAS_CORETYPE` forced).
    public var coreName: String { corename().map { String(cString: $0) } ?? "unknown" }
    /// Its thread count (process-wide); its sgemm is not bitwise identical across thread counts.
    public var threads: Int {
        get { Int(getThreads()) }
        set { setThreads(Int32(newValue)) }
    }
}
