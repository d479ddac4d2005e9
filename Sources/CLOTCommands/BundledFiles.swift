import CLOTCore
import Foundation

/// Files of the repository the tool reads at run time (the paper tables).
enum BundledFiles {
    /// fixtures/paper_tables.json: from the working directory, else beside this package's sources.
    static var paperTablesPath: String {
        let relative = "fixtures/paper_tables.json"
        if FileSystem.isFile(relative) { return relative }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent(relative).path
    }

    /// The paper tables, or nil when the file cannot be found (reports then omit them).
    static var paperTables: PaperTables? { try? PaperTables.load(from: paperTablesPath) }
}
