import ArgumentParser
import CLOTCore

/// `--backend optimized|reference`: the implementation's raw value is its spelling.
extension Implementation: ExpressibleByArgument {
    /// The help of every `--backend` option: "optimized (Float32, fast) or reference (…)".
    static let optionHelp = ArgumentHelp(stringLiteral: allCases.map(\.summary).joined(separator: " or ") + ".")
}
