/// Which implementation computes the numbers. `reference` writes every equation plainly in
/// Double, the specification in code; `optimized` is the same API in Float32, fast. The
/// command line (`--backend`), run records, the bench and the tests all name an implementation
/// with this one type; the module `Implementations` runs an operation on either.
///
/// The raw value is the spelling on the command line and in JSON output (`"optimized"`,
/// `"reference"`), so it must not change: run fingerprints and summaries record it.
public enum Implementation: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case optimized, reference

    /// The command-line spelling.
    public var description: String { rawValue }

    /// The number type the implementation computes in.
    public var numberType: String {
        switch self {
        case .reference: "Double"
        case .optimized: "Float32"
        }
    }

    /// One phrase for help texts and reports: "optimized (Float32, fast)".
    public var summary: String {
        switch self {
        case .reference: "reference (Double, plain Swift; slow)"
        case .optimized: "optimized (Float32, fast)"
        }
    }
}
