import CLOTCore

/// Every listed alternative of every reconstruction choice, one at a time, as "NAME=VALUE":
/// the tests that must cover every branch of every choice take their arguments from here, so a
/// choice added to `ReconstructionChoices.catalogue` is covered without touching them.
public enum ChoiceVariants {
    public static let alternatives: [String] = ReconstructionChoices.catalogue.flatMap { choice in
        choice.alternatives.map { "\(choice.name)=\($0)" }
    }

    /// `configuration` with the choice "NAME=VALUE" set (or, for "released", the released
    /// choices). Traps on a name the catalogue does not know: a test bug, not input.
    public static func applying(_ variant: String, to configuration: ModelConfiguration) -> ModelConfiguration {
        var c = configuration
        do {
            c.choices = try ReconstructionChoices.parsing([variant])
        } catch {
            preconditionFailure("bad choice variant \(variant): \(error)")
        }
        return c
    }
}
