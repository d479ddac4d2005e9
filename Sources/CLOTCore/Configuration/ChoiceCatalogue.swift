/// One reconstruction choice as the command line sees it: its name, the readings it lists
/// besides the default, a one-line source, and how to read and set it on
/// `ReconstructionChoices` from text.
public struct ChoiceDescription: Sendable {
    /// The name on the command line and in the JSON outputs ("refinement-segments").
    public let name: String
    /// The other readings, as values `--choice` accepts (numeric choices: the values the
    /// sensitivity table shows; any value in `accepted` can be set).
    public let alternatives: [String]
    /// What values `--choice` accepts, for error messages.
    public let accepted: String
    /// Where the default comes from, in one line (the argument is in Documentation/Choices.md).
    public let source: String
    /// The current value as text.
    public let value: @Sendable (ReconstructionChoices) -> String
    /// Sets the value from text; false when the text is not an accepted value.
    let assign: @Sendable (inout ReconstructionChoices, String) -> Bool

    /// The default's text.
    public var defaultValue: String { value(ReconstructionChoices()) }

    /// `NAME = DEFAULT  (also: ALT1, ALT2)  — source`.
    public var line: String {
        "\(name) = \(defaultValue)  (also: \(alternatives.isEmpty ? "none" : alternatives.joined(separator: ", ")))  — \(source)"
    }
}

extension ReconstructionChoices {
    /// Every choice, in the order `clot train --choices` lists them. One entry per stored
    /// property (a test holds the two to each other).
    public static let catalogue: [ChoiceDescription] = [
        named("fd-padding", \.fdPadding,
              source: "released feature_dispatching.py takes no mask: padded frames enter g_k and the counts"),
        yesNo("fd-renormalise", \.fdRenormalise,
              source: "ASOT code (the README's base for the rest) L2-normalises every embedding that meets A; paper: cosine distance"),
        yesNo("segment-renormalise", \.segmentRenormalise,
              source: "as fd-renormalise, for S in 1 − S Aᵀ and the codes softmax(S Aᵀ/τ)"),
        named("refinement-segments", \.refinementSegments,
              source: "released cross-att.py: queries are \"decoder outputs\", logits divided by √D (a cosine when ‖S‖ = √D)"),
        named("position-index", \.positionIndex,
              source: "FUTR pos_embedding[:, :S] and the released PositionalEncoding index by frame number"),
        named("memory-positions", \.memoryPositions,
              source: "released transformer.py's only position code is a sinusoid; README figure draws one on F"),
        named("decoder-target", \.decoderTarget,
              source: "FUTR tgt = zeros_like(action_query); the released module takes tgt as an input"),
        number("encoder-dropout", \.encoderDropout, alternatives: ["0.5"], accepted: "a probability in [0, 1)",
               valid: { $0 >= 0 && $0 < 1 },
               source: "ASOT code's MLP has none (the README's base); supplement Table 6's general row says 0.5"),
        ChoiceDescription(
            name: "ffn-width", alternatives: ["4d"], accepted: "a width N or a multiple Nd of D",
            source: "released transformer.py's dim_feedforward default (Table 6 lists no width); FUTR passes 4·D",
            value: { $0.ffnWidth.description },
            assign: { c, text in
                guard let width = FeedForwardWidth(parsing: text) else { return false }
                c.ffnWidth = width
                return true
            }),
        number("refinement-temperature", \.refinementTemperature, alternatives: ["1"], accepted: "a positive number",
               valid: { $0 > 0 },
               source: "cross-att.py takes temp without a default; 0.1 is the one temperature of the training code"),
        number("sw-weight", \.swWeight, alternatives: ["0.5", "2"], accepted: "a non-negative number",
               valid: { $0 >= 0 },
               source: "paper Eq. 10 adds C_SW to the cosine cost with no weight; no caller is released"),
        yesNo("segment-prior", \.segmentPrior,
              source: "paper §3.2: the costs other than C_F are defined as in ASOT, prior included"),
        named("decode-stage", \.decodeStage,
              source: "README Figure 1 ends in the refined frame-level pseudo-labels T_R"),
        named("sw-directions", \.swDirections,
              source: "released gsw.py draws θ once per call, and a call takes the whole batch"),
        named("encoder-gradient", \.encoderGradient,
              source: "README Figure 2 crosses out only the arrows out of OT; F ↔ decoder arrows are double-headed"),
        named("autoregressive-form", \.autoregressiveForm,
              source: "supplement: \"its autoregressive counterpart similar to [46]\"; sequential decoding is not implemented"),
        named("stage3-ot", \.stage3OT,
              source: "paper: each OT \"strongly rooted in ASOT\"; gsw.py's get_opt (POT L2/L2) is never called, not implemented"),
        named("table6-rows", \.table6Rows,
              source: "supplement Table 6's unnamed rows read as δ, ρ (BF \"01.5\" = 0.15), train λ_actions, radius r"),
    ]

    /// The catalogue entry called `name`.
    public static func description(of name: String) -> ChoiceDescription? {
        catalogue.first { $0.name == name }
    }

    /// Sets one choice from its command-line text, or throws an `InputError` naming `flag`.
    public mutating func set(_ name: String, to text: String, flag: String = "--choice") throws {
        guard let choice = Self.description(of: name) else {
            throw InputError(flag, "unknown choice '\(name)'", hint: "clot train --choices lists them")
        }
        guard choice.assign(&self, text) else {
            throw InputError(flag, "\(name) cannot be '\(text)'",
                             hint: "\(choice.accepted): \(([choice.defaultValue] + choice.alternatives).joined(separator: ", "))")
        }
    }

    /// Applies `--choice` arguments in order: `NAME=VALUE`, or `released` for the released
    /// choices (later arguments override it).
    public static func parsing(_ arguments: [String], flag: String = "--choice") throws -> ReconstructionChoices {
        var choices = ReconstructionChoices()
        for argument in arguments {
            if argument == "released" {
                choices = .released
                continue
            }
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw InputError(flag, "'\(argument)' is not NAME=VALUE", hint: "e.g. --choice refinement-segments=renormalised")
            }
            try choices.set(parts[0], to: parts[1], flag: flag)
        }
        return choices
    }

    /// The choices that differ from the defaults, as `NAME=VALUE` in catalogue order.
    public var differencesFromDefaults: [String] {
        let defaults = ReconstructionChoices()
        return Self.catalogue.filter { $0.value(self) != $0.value(defaults) }.map { "\($0.name)=\($0.value(self))" }
    }

    /// The catalogue's lines (what `clot train --choices` prints).
    public static var listing: [String] { catalogue.map(\.line) }

    // MARK: catalogue builders

    private static func named<E: RawRepresentable & CaseIterable & Sendable>(
        _ name: String, _ path: WritableKeyPath<ReconstructionChoices, E> & Sendable, source: String
    ) -> ChoiceDescription where E.RawValue == String {
        let defaultValue = ReconstructionChoices()[keyPath: path].rawValue
        let all = E.allCases.map(\.rawValue)
        return ChoiceDescription(name: name, alternatives: all.filter { $0 != defaultValue }, accepted: "one of",
                                 source: source, value: { $0[keyPath: path].rawValue },
                                 assign: { c, text in
                                     guard let v = E(rawValue: text) else { return false }
                                     c[keyPath: path] = v
                                     return true
                                 })
    }

    private static func yesNo(_ name: String, _ path: WritableKeyPath<ReconstructionChoices, Bool> & Sendable,
                              source: String) -> ChoiceDescription {
        let defaultValue = ReconstructionChoices()[keyPath: path]
        return ChoiceDescription(name: name, alternatives: [defaultValue ? "no" : "yes"], accepted: "one of", source: source,
                                 value: { $0[keyPath: path] ? "yes" : "no" },
                                 assign: { c, text in
                                     guard text == "yes" || text == "no" else { return false }
                                     c[keyPath: path] = text == "yes"
                                     return true
                                 })
    }

    private static func number(_ name: String, _ path: WritableKeyPath<ReconstructionChoices, Double> & Sendable,
                               alternatives: [String], accepted: String, valid: @escaping @Sendable (Double) -> Bool,
                               source: String) -> ChoiceDescription {
        ChoiceDescription(name: name, alternatives: alternatives, accepted: accepted, source: source,
                          value: { formatNumber($0[keyPath: path]) },
                          assign: { c, text in
                              guard let v = Double(text), v.isFinite, valid(v) else { return false }
                              c[keyPath: path] = v
                              return true
                          })
    }

    /// Shortest text that reads back as the same Double ("0.1", "1", "0.5").
    static func formatNumber(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }
}
