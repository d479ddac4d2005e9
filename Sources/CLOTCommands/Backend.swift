import ArgumentParser

/// Which implementation runs the numbers: the plain Double `Reference` or the Float32
/// OpenBLAS `Optimized`.
public enum Backend: String, CaseIterable, Sendable, Codable, ExpressibleByArgument {
    case optimized, reference
}
