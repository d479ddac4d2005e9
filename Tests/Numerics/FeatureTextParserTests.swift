import Foundation
import Testing
import TestSupport
@testable import CLOTCore

/// The byte-level features reader against the Character reader it replaced
/// (`TextFiles.parseFeaturesAsCharacters`, kept for text with bytes outside ASCII): on
/// thousands of random hostile texts both give the same matrix, bit for bit, or the same
/// error message; and the file-level cases the Character reader got from Foundation (a
/// byte-order mark, text that is not UTF-8) come out as before.
@Suite struct FeatureTextParserTests {
    enum Outcome: Equatable {
        case matrix(rows: Int, columns: Int, bits: [UInt64])
        case error(String)
    }

    static func outcome(_ body: () throws -> Matrix<Double>) -> Outcome {
        do {
            let m = try body()
            return .matrix(rows: m.rows, columns: m.columns, bits: m.elements.map(\.bitPattern))
        } catch let error as InputError {
            return .error(error.description)
        } catch {
            return .error("unexpected \(error)")
        }
    }

    /// A random features text: mostly well-formed rows, with every kind of fault and
    /// spelling the files meet — odd separators, blank lines, "\r\n", "\r\r\n", stray "\r",
    /// ragged rows, words, NaN and infinities, overflow, hexadecimal floats, a NUL byte.
    static func hostileText(_ g: inout MersenneTwister) -> String {
        let columns = g.integer(in: 1...5)
        let fields = ["0", "-0", "+.5", "5.", "1e-320", "4.9e-324", "1e400", "-1e999", "nan", "inf", "-Infinity",
                      "abc", "1,5", "--1", "0x1p3", "1e", "1.2.3", "2.2250738585072011e-308",
                      "123456789012345678901234567890", "7\u{0}", "\u{0}7", "1\u{0B}", "\u{0C}1"]
        let lineEnds = ["\n", "\n", "\n", "\r\n", "\r\r\n", "\r"]
        let separators = [" ", " ", "\t", "  ", " \t "]
        var text = ""
        for _ in 0..<g.integer(in: 0...6) {
            switch g.integer(in: 0..<10) {
            case 0: text += [" ", "\t", "", "\r"][g.integer(in: 0..<4)]            // blank-ish line
            default:
                let count = g.integer(in: 0..<8) == 0 ? g.integer(in: 1...6) : columns
                var row: [String] = []
                for _ in 0..<count {
                    if g.integer(in: 0..<12) == 0 {
                        row.append(fields[g.integer(in: 0..<fields.count)])
                    } else {
                        let x = g.gaussian() * pow(10, Double(g.integer(in: -3...3)))
                        row.append(String(format: ["%.18e", "%g", "%.3f"][g.integer(in: 0..<3)], x))
                    }
                }
                let lead = g.integer(in: 0..<6) == 0 ? separators[g.integer(in: 0..<separators.count)] : ""
                let trail = g.integer(in: 0..<6) == 0 ? separators[g.integer(in: 0..<separators.count)] : ""
                text += lead + row.joined(separator: separators[g.integer(in: 0..<separators.count)]) + trail
            }
            text += lineEnds[g.integer(in: 0..<lineEnds.count)]
        }
        if g.integer(in: 0..<4) == 0, !text.isEmpty { text.removeLast() }  // no final line end
        return text
    }

    @Test("4000 random hostile texts: the byte reader and the Character reader agree (matrix bits or message)")
    func agreesWithCharacterReader() {
        var g = MersenneTwister(seed: 94)
        var kinds = (matrices: 0, errors: 0)
        for _ in 0..<4000 {
            let text = Self.hostileText(&g)
            let bytes = Self.outcome { try TextFiles.parseFeatures(text, source: "f.txt") }
            let characters = Self.outcome { try TextFiles.parseFeaturesAsCharacters(text, source: "f.txt") }
            #expect(bytes == characters, "\(text.debugDescription)")
            if case .matrix = characters { kinds.matrices += 1 } else { kinds.errors += 1 }
        }
        // Both outcomes must be well represented for the comparison to mean something.
        #expect(kinds.matrices > 800 && kinds.errors > 800, "\(kinds)")
    }

    @Test("text with bytes outside ASCII is read as Characters", arguments: [
        "1 2\n3 é\n",                 // a word: not a number
        "1 2\n3 \u{301}4\n",          // a space joined with a combining mark: one field, not two
        "1 \u{600} 2\n",              // a prepended mark joins the space after it
        "7\u{0}é 8\n",                // a NUL ends what strtod reads: accepted as 7
        "1 2 3\n4 5\n6 é\n",          // ragged before the non-ASCII byte
    ])
    func nonASCII(text: String) {
        let bytes = Self.outcome { try TextFiles.parseFeatures(text, source: "f.txt") }
        let characters = Self.outcome { try TextFiles.parseFeaturesAsCharacters(text, source: "f.txt") }
        #expect(bytes == characters)
    }

    @Test("files: a byte-order mark is dropped, CRLF is a line end, invalid UTF-8 is named before any later fault")
    func files() throws {
        let folder = temporaryDirectory()
        defer { removeDirectory(folder) }
        let expected = Matrix<Double>([[1, -2.5], [0.25, 3]])
        try writeBytes([0xEF, 0xBB, 0xBF] + Array("1 -2.5\r\n0.25 3\r\n".utf8), to: folder + "/bom.txt")
        #expect(try Video.readFeatures(folder + "/bom.txt") == expected)
        // Only one mark is dropped; a second one is a field that is not a number.
        try writeBytes([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("1 2\n".utf8), to: folder + "/bom2.txt")
        expectInputError(mentioning: [folder + "/bom2.txt:1", "field 1", "not a number"]) { try Video.readFeatures(folder + "/bom2.txt") }
        // A ragged line 2, then a byte that is not UTF-8: the file is not UTF-8 text, as before.
        try writeBytes(Array("1 2\n3\n4 5\n".utf8) + [0xFF] + Array(" 6\n".utf8), to: folder + "/latin.txt")
        expectInputError(mentioning: [folder + "/latin.txt", "is not UTF-8 text"]) { try Video.readFeatures(folder + "/latin.txt") }
        // Without the bad byte the ragged line is the fault.
        try writeText("1 2\n3\n4 5\n", to: folder + "/ragged.txt")
        expectInputError(mentioning: [folder + "/ragged.txt:2", "has 1 values, earlier lines have 2"]) { try Video.readFeatures(folder + "/ragged.txt") }
        expectInputError(mentioning: [folder, "is a folder"]) { try Video.readFeatures(folder) }
    }

    @Test("a wide file (3000 columns, YTI's width) and a long one (100 000 rows of 1 column) read whole")
    func wideAndLong() throws {
        let folder = temporaryDirectory()
        defer { removeDirectory(folder) }
        var g = MersenneTwister(seed: 3000)
        let wide = Matrix<Double>(rows: 5, columns: 3000, elements: (0..<15000).map { _ in g.gaussian() })
        try writeText(wide.nestedRows.map { $0.map { String(format: "%.18e", $0) }.joined(separator: " ") }.joined(separator: "\n") + "\n",
                      to: folder + "/wide.txt")
        let wideRead = try Video.readFeatures(folder + "/wide.txt")
        #expect(wideRead.rows == 5 && wideRead.columns == 3000)
        // %.18e has 19 significant digits, enough to give every Double back exactly.
        #expect(wideRead.elements.map(\.bitPattern) == wide.elements.map(\.bitPattern))

        let long = (0..<100_000).map { Double($0) / 8 }
        try writeText(long.map { "\($0)" }.joined(separator: "\n"), to: folder + "/long.txt")
        let longRead = try Video.readFeatures(folder + "/long.txt")
        #expect(longRead.rows == 100_000 && longRead.columns == 1 && longRead.elements == long)
    }
}
