import CLOTCore
import Foundation

/// Files of the repository the tool reads at run time: the paper tables and the bundled
/// Breakfast sample. They are found, in this order, under the working folder, above the
/// executable (`.build/release/clot` sits inside the checkout it was built from, symbolic links
/// resolved), and in the checkout whose sources were compiled — so `clot demo` works from any
/// folder. They are not embedded in the binary: the sample is 0.9 MB of `.npy` files, and a
/// binary copied away from its checkout is told to pass `--data`.
enum BundledFiles {
    /// This process's executable (Linux: /proc/self/exe, so a `clot` found on PATH is found too).
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
    }

    /// The repository root candidates, in search order.
    static func roots(workingFolder: String = FileManager.default.currentDirectoryPath,
                      executable: String = executablePath) -> [String] {
        var roots = [workingFolder]
        var url = URL(fileURLWithPath: executable, relativeTo: URL(fileURLWithPath: workingFolder, isDirectory: true))
            .standardizedFileURL.resolvingSymlinksInPath()
        for _ in 0..<6 {
            url.deleteLastPathComponent()
            roots.append(url.path)
        }
        var source = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { source.deleteLastPathComponent() }   // Sources/CLOTCommands/BundledFiles.swift → root
        roots.append(source.path)
        return roots
    }

    /// The first root holding `relative`, or nil.
    static func locate(_ relative: String, workingFolder: String = FileManager.default.currentDirectoryPath,
                       executable: String = executablePath) -> String? {
        roots(workingFolder: workingFolder, executable: executable).lazy
            .map { $0 + "/" + relative }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// fixtures/paper_tables.json (the source checkout's path when it is nowhere).
    static var paperTablesPath: String {
        locate("fixtures/paper_tables.json") ?? roots().last! + "/fixtures/paper_tables.json"
    }

    /// The paper tables, or nil when the file cannot be found (reports then omit them).
    static var paperTables: PaperTables? { try? PaperTables.load(from: paperTablesPath) }

    /// The data root of the bundled Breakfast sample (`fixtures/sample`).
    static func sampleRoot(workingFolder: String = FileManager.default.currentDirectoryPath,
                           executable: String = executablePath) throws -> String {
        guard let found = locate("fixtures/sample/Breakfast", workingFolder: workingFolder, executable: executable) else {
            throw InputError("--data", "the bundled sample (fixtures/sample) is not beside this clot executable or in the working folder",
                             hint: "pass --data ROOT, a folder holding Breakfast/features, groundTruth and mapping")
        }
        return String(found.dropLast("/Breakfast".count))
    }
}
