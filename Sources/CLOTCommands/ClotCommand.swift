import ArgumentParser

/// `clot`: the one command-line tool of the suite.
public struct ClotCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "clot",
        abstract: "CLOT / ASOT unsupervised action segmentation: reference implementation and reproducibility suite.",
        subcommands: [Demo.self, Evaluate.self, Segment.self, Train.self, Reproduce.self, Bench.self]
    )

    public init() {}
}
