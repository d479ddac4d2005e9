import ArgumentParser
import Foundation

/// `clot`: the one command-line tool of the suite.
public struct ClotCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "clot",
        abstract: "CLOT / ASOT unsupervised action segmentation: reference implementation and reproducibility suite.",
        subcommands: [Demo.self, Evaluate.self, Segment.self, Train.self, Reproduce.self, Bench.self]
    )

    public init() {}

    /// Parses the command line, checks the environment and runs; on failure prints one line,
    /// "Error: …", to standard error and exits with 2 for a usage error (an unknown flag, a value
    /// out of range: the convention of getopt and argparse) or 1 for anything else (bad input
    /// data, a full disk, a busy output folder, a stop by SIGINT or SIGTERM).
    public static func runAsTool(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try ToolEnvironment.validate()
            try command.run()
            Foundation.exit(0)
        } catch {
            fail(with: error)
        }
    }

    /// Prints `error` as one line and exits, as `runAsTool` does.
    static func fail(with error: Error) -> Never {
        let code = exitCode(for: error)
        if code == .success { exit(withError: error) }   // --help and the like
        let usage = code == .validationFailure
        var line = message(for: error).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        if usage, let see = fullMessage(for: error).split(separator: "\n").last(where: { $0.contains("--help") }) {
            line += " (" + see.trimmingCharacters(in: .whitespaces) + ")"
        }
        FileHandle.standardError.write(Data(("Error: " + line + "\n").utf8))
        Foundation.exit(usage ? 2 : 1)
    }
}
