import CLOTCore
import Optimized

extension Provenance {
    /// The provenance of a result computed now, in this process, by `backend` (nil: the
    /// evaluation protocol alone, which is integer counting and Double sums).
    static func current(_ backend: Implementation?) -> Provenance {
        let matrixProduct: String
        switch (backend, Optimized.gemmEngine) {
        case (nil, _): matrixProduct = "none"
        case (.reference, _): matrixProduct = "plain loops (Double)"
        case (.optimized, .fixedOrder): matrixProduct = "fixed-order sgemm (one FMA chain per entry, index order)"
        case (.optimized, .openBLAS):
            matrixProduct = "OpenBLAS sgemm (\(OpenBLAS.shared?.coreName ?? "?") kernel, \(OpenBLAS.shared?.threads ?? 0) threads)"
        }
        // Only what this process has opened: asking would load OpenBLAS just to describe it.
        let loaded = OpenBLAS.hasBeenOpened ? OpenBLAS.shared : nil
        let backendName = backend.map { $0 == .optimized ? "optimized: Float32" : "reference: Double" } ?? "evaluation: Double"
        return Provenance(commit: BuildInfo.commit, backend: backendName, matrixProduct: matrixProduct,
                          openBLAS: loaded.map { ($0.configuration, $0.coreName, $0.threads) },
                          solverThreads: Optimized.solverThreads)
    }
}
