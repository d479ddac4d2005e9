import CLOTCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport
@testable import CLOTCommands

/// The HTML reports parse as XML and hold what they promise; outputs are written atomically.
@Suite("reports and atomic writes", .serialized)
struct ReportTests {
    final class SVGCounter: NSObject, XMLParserDelegate {
        var segmentation = 0, charts = 0, tables = 0
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if name == "svg" && attributes["class"] == "segmentation" { segmentation += 1 }
            if name == "svg" && attributes["class"] == "chart" { charts += 1 }
            if name == "table" { tables += 1 }
        }
    }

    static func parse(_ path: String) throws -> SVGCounter? {
        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: path)))
        let counter = SVGCounter()
        parser.delegate = counter
        return parser.parse() ? counter : nil
    }

    @Test("clot train writes a valid report with one segmentation chart per video and a loss curve")
    func trainingReport() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        var command = try ClotCommand.parseAsRoot(["train", "--data", fixturesDirectory + "/sample", "--dataset", "Breakfast",
                                                   "--activity", "coffee", "--method", "clot", "--epochs", "2", "--output", out])
        try command.run()
        let counter = try #require(try Self.parse(out + "/report.html"), "report.html is not well-formed XML")
        #expect(counter.segmentation == 5)
        #expect(counter.charts == 1)
        #expect(counter.tables == 1)
        let html = try FileSystem.readText(out + "/report.html")
        #expect(!html.contains("http://") || !html.contains("src="), "no external resources")
        #expect(html.contains("pour_coffee"), "the legend names the actions")
    }

    @Test("clot segment --svg draws a valid picture")
    func segmentSVG() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var affinity = Matrix<Double>.zeros(50, 3)
        for t in 0..<50 { affinity[t, t * 3 / 50] = 1 }
        try NPY.write(NPYArray(affinity), to: dir + "/a.npy")
        var command = try ClotCommand.parseAsRoot(["segment", "--affinity", dir + "/a.npy", "--labels", dir + "/l.txt", "--svg", dir + "/p.svg"])
        try command.run()
        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: dir + "/p.svg")))
        #expect(parser.parse())
    }

    @Test("atomic writes replace whole files, leave no partial files, and fail without touching the target")
    func atomicWrites() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/out.txt"
        try FileSystem.writeAtomically("first\n", to: target)
        try FileSystem.writeAtomically(String(repeating: "second\n", count: 1000), to: target)
        #expect(try FileSystem.readText(target) == String(repeating: "second\n", count: 1000))
        #expect(try FileSystem.contents(of: dir) == ["out.txt"], "no temporary files left behind")
        // The target is a folder: the rename must fail, the folder survive, no partial file remain.
        try FileManager.default.createDirectory(atPath: dir + "/taken", withIntermediateDirectories: false)
        try FileSystem.writeAtomically("kept\n", to: dir + "/taken/inside.txt")
        #expect(throws: InputError.self) { try FileSystem.writeAtomically("x", to: dir + "/taken") }
        #expect(FileSystem.isDirectory(dir + "/taken"))
        #expect(try FileSystem.readText(dir + "/taken/inside.txt") == "kept\n")
        #expect(try FileSystem.contents(of: dir) == ["out.txt", "taken"])
        // The parent is missing: an error naming the path, nothing created.
        #expect(throws: InputError.self) { try FileSystem.writeAtomically("x", to: dir + "/missing/out.txt") }
        #expect(!FileSystem.isDirectory(dir + "/missing"))
    }
}
