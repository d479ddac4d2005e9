import Foundation
import Testing
import TestSupport
@testable import CLOTCore

/// The plain-text files of the standard layout: features, ground-truth labels, predictions,
/// and `mapping.txt`, each validated with an error naming the file and line.
@Suite struct TextFilesTests {
    // MARK: Lines

    @Test("lines: \\n and \\r\\n ends, a final line end starts no line")
    func lines() {
        #expect(TextFiles.lines("a\nb\n") == ["a", "b"])
        #expect(TextFiles.lines("a\r\nb\r\n") == ["a", "b"])
        #expect(TextFiles.lines("a\nb") == ["a", "b"])
        #expect(TextFiles.lines("a\n\nb\n") == ["a", "", "b"])
        #expect(TextFiles.lines("").isEmpty)
    }

    // MARK: Features

    @Test("features: whitespace-separated numbers, one frame per line",
          arguments: ["1 2.5 -3\n4e-1 0 6\n", "1 2.5 -3\r\n4e-1 0 6\r\n", "1\t2.5  -3\n4e-1 0 6", "\n1 2.5 -3\n\n4e-1 0 6\n\n"])
    func features(text: String) throws {
        let m = try TextFiles.parseFeatures(text, source: "f.txt")
        #expect(m == Matrix<Double>([[1, 2.5, -3], [0.4, 0, 6]]))
    }

    @Test("features: ragged rows name the line")
    func raggedFeatures() {
        expectInputError(mentioning: ["f.txt:3", "2 values", "3"]) {
            try TextFiles.parseFeatures("1 2 3\n4 5 6\n7 8\n", source: "f.txt")
        }
    }

    @Test("features: non-numeric fields name line and field", arguments: ["abc", "1,5", "--1", "1.2.3"])
    func nonNumericFeatures(field: String) {
        expectInputError(mentioning: ["f.txt:2", "field 2", "not a number"]) {
            try TextFiles.parseFeatures("1 2\n3 \(field)\n", source: "f.txt")
        }
    }

    @Test("features: NaN and infinities are rejected", arguments: ["nan", "NaN", "inf", "-inf", "infinity", "1e400"])
    func nonFiniteFeatures(field: String) {
        expectInputError(mentioning: ["f.txt:1", "finite"]) {
            try TextFiles.parseFeatures("\(field) 2\n", source: "f.txt")
        }
    }

    @Test("features: an empty file holds no frames", arguments: ["", "\n", "  \n\t\n"])
    func emptyFeatures(text: String) {
        expectInputError(mentioning: ["f.txt", "no frames"]) { try TextFiles.parseFeatures(text, source: "f.txt") }
    }

    // MARK: Labels

    @Test("label names: one per line, trailing whitespace removed")
    func labelNames() throws {
        #expect(try TextFiles.parseLabelNames("SIL\ntake_cup \r\ntake_cup\t\nSIL", source: "g") == ["SIL", "take_cup", "take_cup", "SIL"])
    }

    @Test("label names: a blank line and an empty file are errors")
    func badLabelNames() {
        expectInputError(mentioning: ["g:2", "empty label"]) { try TextFiles.parseLabelNames("SIL\n\nSIL\n", source: "g") }
        expectInputError(mentioning: ["g", "no labels"]) { try TextFiles.parseLabelNames("", source: "g") }
    }

    @Test("label names read as bytes: the names, or the message, of the Character reader, on 3000 random files")
    func labelNamesAsBytes() throws {
        var g = MersenneTwister(seed: 48)
        let pieces = ["SIL", "take_cup", "pour milk", " ", "\t", "\u{0B}", "\u{0C}", "\r", "x\u{0}y", ""]
        let ends = ["\n", "\r\n", "\r\r\n", "\r"]
        var outcomes = (names: 0, errors: 0)
        for _ in 0..<3000 {
            var text = g.integer(in: 0..<10) == 0 ? "\u{FEFF}" : ""
            for _ in 0..<g.integer(in: 0...5) {
                text += (0..<g.integer(in: 0...3)).map { _ in pieces[g.integer(in: 0..<pieces.count)] }.joined()
                text += ends[g.integer(in: 0..<ends.count)]
            }
            if g.integer(in: 0..<3) == 0, !text.isEmpty { text.removeLast() }
            let bytes = Array(text.utf8)
            func described(_ body: () throws -> [String]) -> String {
                do { return try body().description } catch { return "\(error)" }
            }
            let characters = described { try TextFiles.parseLabelNames(text, source: "g") }
            let asBytes = described {
                try bytes.withUnsafeBufferPointer { try TextFiles.parseLabelNamesASCII($0, source: "g") } ?? ["non-ASCII"]
            }
            if text.utf8.allSatisfy({ $0 < 0x80 }) {
                #expect(asBytes == characters, "\(text.debugDescription)")
                if characters.hasPrefix("[") { outcomes.names += 1 } else { outcomes.errors += 1 }
            } else {
                #expect(asBytes == "[\"non-ASCII\"]")
            }
        }
        #expect(outcomes.names > 300 && outcomes.errors > 300, "\(outcomes)")
    }

    @Test("label files: a byte-order mark is dropped, a byte outside ASCII is read as Characters")
    func labelFiles() throws {
        let folder = temporaryDirectory()
        defer { removeDirectory(folder) }
        try writeBytes([0xEF, 0xBB, 0xBF] + Array("SIL\r\ntake_cup \r\n".utf8), to: folder + "/bom")
        #expect(try TextFiles.readLabelNames(folder + "/bom") == ["SIL", "take_cup"])
        try writeText("SIL\ncafé\u{A0}\n", to: folder + "/unicode")
        #expect(try TextFiles.readLabelNames(folder + "/unicode") == ["SIL", "café"])
        try writeBytes(Array("SIL\n".utf8) + [0xFF, 0x0A], to: folder + "/latin")
        expectInputError(mentioning: [folder + "/latin", "not UTF-8"]) { try TextFiles.readLabelNames(folder + "/latin") }
    }

    @Test("integer labels: one per line, surrounding blanks and trailing empty lines allowed")
    func integerLabels() throws {
        #expect(try TextFiles.parseIntegerLabels("0\n 3 \r\n-1\n12\n\n\n", source: "p") == [0, 3, -1, 12])
    }

    @Test("integer labels: non-integers name the line", arguments: ["1.0", "SIL", "", "2 3"])
    func badIntegerLabels(line: String) {
        expectInputError(mentioning: ["p.txt:2", "not an integer"]) {
            try TextFiles.parseIntegerLabels("0\n\(line)\n4\n", source: "p.txt")
        }
    }

    @Test("integer labels: an empty file")
    func emptyIntegerLabels() {
        expectInputError(mentioning: ["p.txt", "no labels"]) { try TextFiles.parseIntegerLabels("\n\n", source: "p.txt") }
    }

    // MARK: Mapping

    @Test("mapping: '<id> <name>' lines in file order; blank lines skipped; negative ids allowed")
    func mapping() throws {
        let m = try ActionMapping.parse("0 SIL\r\n1 take_cup\n\n-1 background\n", source: "mapping.txt")
        #expect(m.entries.map(\.id) == [0, 1, -1])
        #expect(m.entries.map(\.name) == ["SIL", "take_cup", "background"])
        #expect(m.id(of: "background") == -1 && m.id(of: "take_cup") == 1 && m.id(of: "pour_milk") == nil)
        #expect(try m.ids(for: ["take_cup", "SIL", "background"], source: "g") == [1, 0, -1])
    }

    @Test("mapping: duplicate ids and names name the line")
    func mappingDuplicates() {
        expectInputError(mentioning: ["mapping.txt:3", "duplicate id 1"]) {
            try ActionMapping.parse("0 SIL\n1 a\n1 b\n", source: "mapping.txt")
        }
        expectInputError(mentioning: ["mapping.txt:2", "duplicate action name 'SIL'"]) {
            try ActionMapping.parse("0 SIL\n1 SIL\n", source: "mapping.txt")
        }
    }

    @Test("mapping: malformed lines name the line", arguments: ["SIL 0", "3", "2 take cup", "x y", "1.5 a"])
    func malformedMapping(line: String) {
        expectInputError(mentioning: ["mapping.txt:2", "<id> <action name>"]) {
            try ActionMapping.parse("0 SIL\n\(line)\n", source: "mapping.txt")
        }
    }

    @Test("mapping: an empty file")
    func emptyMapping() {
        expectInputError(mentioning: ["mapping.txt", "empty mapping"]) { try ActionMapping.parse("\n", source: "mapping.txt") }
    }

    @Test("a label missing from the mapping names the file and line")
    func labelNotInMapping() throws {
        let folder = temporaryDirectory()
        defer { removeDirectory(folder) }
        let mapping = try ActionMapping.parse("0 SIL\n1 take_cup\n", source: "mapping.txt")
        try writeText("SIL\ntake_cup\npour_milk\n", to: folder + "/video_1")
        expectInputError(mentioning: [folder + "/video_1:3", "'pour_milk'", "not in the mapping"]) {
            try TextFiles.readLabels(folder + "/video_1", mapping: mapping)
        }
        // Without a mapping the same reader wants integers.
        try writeText("0\n1\n1\n", to: folder + "/video_2")
        #expect(try TextFiles.readLabels(folder + "/video_2", mapping: nil) == [0, 1, 1])
        #expect(try TextFiles.readLabels(folder + "/video_1", mapping: ActionMapping.parse("0 SIL\n1 take_cup\n2 pour_milk", source: "m")) == [0, 1, 2])
    }

    // MARK: Video features files

    @Test("Video.readFeatures: .txt and .npy, rejecting empty, non-2-D and non-finite arrays")
    func readFeatures() throws {
        let folder = temporaryDirectory()
        defer { removeDirectory(folder) }
        try writeText("1 2\n3 4\n", to: folder + "/a.txt")
        #expect(try Video.readFeatures(folder + "/a.txt") == Matrix<Double>([[1, 2], [3, 4]]))
        try NPY.write(NPYArray(shape: [2, 2], values: .float32([1, 2, 3, 4])), to: folder + "/a.npy")
        #expect(try Video.readFeatures(folder + "/a.npy") == Matrix<Double>([[1, 2], [3, 4]]))

        try NPY.write(NPYArray(shape: [0, 64], values: .float32([])), to: folder + "/empty.npy")
        expectInputError(mentioning: [folder + "/empty.npy", "empty video"]) { try Video.readFeatures(folder + "/empty.npy") }
        try NPY.write(NPYArray(shape: [3, 0], values: .float32([])), to: folder + "/nodims.npy")
        expectInputError(mentioning: [folder + "/nodims.npy", "empty video"]) { try Video.readFeatures(folder + "/nodims.npy") }
        try NPY.write(NPYArray(shape: [4], values: .float64([1, 2, 3, 4])), to: folder + "/flat.npy")
        expectInputError(mentioning: [folder + "/flat.npy", "2-D"]) { try Video.readFeatures(folder + "/flat.npy") }
        try NPY.write(NPYArray(shape: [2, 2], values: .float64([1, 2, .nan, 4])), to: folder + "/nan.npy")
        expectInputError(mentioning: [folder + "/nan.npy", "frame 1", "non-finite"]) { try Video.readFeatures(folder + "/nan.npy") }
        expectInputError(mentioning: [folder + "/none.txt", "cannot read"]) { try Video.readFeatures(folder + "/none.txt") }
        try writeText("", to: folder + "/empty.txt")
        expectInputError(mentioning: [folder + "/empty.txt", "no frames"]) { try Video.readFeatures(folder + "/empty.txt") }
    }
}
