import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Whether a core is free for the helper thread: on a machine whose cores other processes keep
/// busy, a second thread waits for a core at every hand-off, and a solve on two threads took
/// longer than on one (alternating one-shot runs on a shared 2-core VM). Results never depend
/// on the thread count, so this only chooses the faster one.
enum CoreAvailability {
    /// True when the tasks ready to run now, less the caller and the helper (if it is awake),
    /// leave a core free beside the caller: the count of runnable tasks from /proc/loadavg, read
    /// at most every `interval` (a read costs about 10 µs). True where that file cannot be read.
    static func secondCoreFree(helperAwake: Bool) -> Bool {
        let now = clockNanoseconds()
        if now &- lastRead.load(ordering: .relaxed) < interval { return lastAnswer.load(ordering: .relaxed) }
        guard let runnable = runnableTasks() else { return true }
        let others = runnable - 1 - (helperAwake ? 1 : 0)
        let free = others + 2 <= cores
        lastAnswer.store(free, ordering: .relaxed)
        lastRead.store(now, ordering: .relaxed)
        return free
    }

    /// How long an answer stands: a few solver calls, a few training steps.
    static let interval: UInt64 = 10_000_000
    private static let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    private static let lastRead = Atomic<UInt64>(0)
    private static let lastAnswer = Atomic<Bool>(true)

    /// The fourth field of /proc/loadavg, "running/total": the tasks running or ready to run.
    static func runnableTasks() -> Int? {
        let descriptor = open("/proc/loadavg", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let text = buffer.prefix(count)
        guard let slash = text.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        let start = text[..<slash].lastIndex(of: UInt8(ascii: " ")).map { $0 + 1 } ?? text.startIndex
        return Int(String(decoding: text[start..<slash], as: UTF8.self))
    }

    private static func clockNanoseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }
}
