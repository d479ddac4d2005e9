import ArgumentParser

/// Which implementation runs the numbers: the plain Double `Reference` or the fast Float32
/// `Optimized`.
public enum Backend: String, CaseIterable, Sendable, Codable, ExpressibleByArgument {
    case optimized, reference
}
