import CLOTCore
import Foundation
import Testing
import TestSupport
@testable import CLOTCommands

/// Hostile inputs: real fixture files mutated (truncation, byte flips, inserted NaN/Inf and
/// garbage, shuffled, dropped and duplicated lines, corrupted .npy headers), fed to every
/// loader and to the `clot evaluate` / `clot segment` paths. Each must be accepted or rejected
/// with an `InputError` whose message names its source — never a trap (a trap would kill the
/// test process) and never another error type.
@Suite("fuzzing the loaders and commands", .serialized)
struct FuzzTests {
    static let sample = fixturesDirectory + "/sample/Breakfast"

    enum Outcome { case accepted, rejected }

    /// Runs `body`; a thrown InputError must carry a message naming `source`.
    static func outcome(_ source: String, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        do {
            try body()
            return .accepted
        } catch let error as InputError {
            #expect(!error.message.isEmpty && error.description.contains(source), "message '\(error)' should name \(source)",
                    sourceLocation: sourceLocation)
            return .rejected
        } catch {
            Issue.record("unexpected error type \(type(of: error)): \(error)", sourceLocation: sourceLocation)
            return .rejected
        }
    }

    /// One random text mutation.
    static func mutate(text: String, using g: inout MersenneTwister) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        switch g.integer(in: 0..<7) {
        case 0: return String(text.prefix(g.integer(in: 0..<max(1, text.count))))                      // truncation
        case 1:                                                                                        // insert a bad field
            let i = g.integer(in: 0..<lines.count)
            var fields = lines[i].split(separator: " ").map(String.init)
            let bad = ["nan", "inf", "-inf", "1e999", "abc", "", "0x1p3", "--", "NaN"][g.integer(in: 0..<9)]
            fields.insert(bad, at: g.integer(in: 0..<(fields.count + 1)))
            lines[i] = fields.joined(separator: " ")
        case 2: g.shuffle(&lines)                                                                      // shuffled lines
        case 3: if lines.count > 1 { lines.remove(at: g.integer(in: 0..<lines.count)) }                // dropped line
        case 4: lines.insert(lines[g.integer(in: 0..<lines.count)], at: g.integer(in: 0..<lines.count)) // duplicated line
        case 5:                                                                                        // replaced field
            let i = g.integer(in: 0..<lines.count)
            var fields = lines[i].split(separator: " ").map(String.init)
            if !fields.isEmpty { fields[g.integer(in: 0..<fields.count)] = ["NaN", "x", "1,5", "∞", "-0", "+3"][g.integer(in: 0..<6)] }
            lines[i] = fields.joined(separator: " ")
        default:                                                                                       // byte flips
            var bytes = Array(text.utf8)
            for _ in 0..<(1 + g.integer(in: 0..<4)) where !bytes.isEmpty { bytes[g.integer(in: 0..<bytes.count)] ^= UInt8(1 << g.integer(in: 0..<8)) }
            return String(decoding: bytes, as: UTF8.self)
        }
        return lines.joined(separator: "\n")
    }

    /// One random binary mutation of a .npy file.
    static func mutate(npy bytes: [UInt8], using g: inout MersenneTwister) -> [UInt8] {
        var b = bytes
        switch g.integer(in: 0..<6) {
        case 0: return Array(b.prefix(g.integer(in: 0..<b.count)))                                     // truncation
        case 1: for _ in 0..<(1 + g.integer(in: 0..<6)) { b[g.integer(in: 0..<min(b.count, 128))] ^= UInt8(1 << g.integer(in: 0..<8)) } // header flips
        case 2: b[8] = UInt8(g.integer(in: 0..<256)); b[9] = UInt8(g.integer(in: 0..<256))            // header length
        case 3:                                                                                        // header rewrite
            let header = String(decoding: b[10..<128], as: UTF8.self)
            let replacement = [("'<f4'", "'<c8'"), ("False", "True "), ("(", "(3, "), ("'<f4'", "'>f4'"), ("'<f4'", "'|b1'")][g.integer(in: 0..<5)]
            let changed = Array(header.replacingOccurrences(of: replacement.0, with: replacement.1).utf8)
            b.replaceSubrange(10..<128, with: changed.prefix(118) + Array(repeating: 32, count: max(0, 118 - changed.count)))
        case 4: for _ in 0..<8 { b[128 + g.integer(in: 0..<(b.count - 128))] = 0xff }                   // NaN-ish body bytes
        default: b += Array(repeating: 0, count: g.integer(in: 1..<9))                                   // trailing junk
        }
        return b
    }

    @Test("300+ mutated files through every loader: no crash, every rejection named")
    func loaders() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let videos = try FileSystem.contents(of: Self.sample + "/groundTruth")
        let mappingText = try FileSystem.readText(Self.sample + "/mapping/mapping.txt")
        let mapping = try ActionMapping.parse(mappingText, source: "mapping")
        var g = MersenneTwister(seed: 2026)
        var counts = (accepted: 0, rejected: 0)
        func tally(_ o: Outcome) { if o == .accepted { counts.accepted += 1 } else { counts.rejected += 1 } }
        for round in 0..<80 {
            let video = videos[round % videos.count]
            let npyBytes = [UInt8](FileManager.default.contents(atPath: Self.sample + "/features/coffee/\(video).npy")!)
            let badNpy = Self.mutate(npy: npyBytes, using: &g)
            tally(Self.outcome("f.npy") { _ = try NPY.decode(badNpy, source: "f.npy") })
            let path = dir + "/f\(round).npy"
            try Data(badNpy).write(to: URL(fileURLWithPath: path))
            tally(Self.outcome(path) { _ = try Video.readFeatures(path) })

            let features = try NPY.decode(npyBytes, source: "ok").matrix()
            let text = (0..<min(features.rows, 60)).map { i in features.row(i).map { String($0) }.joined(separator: " ") }.joined(separator: "\n")
            let badText = Self.mutate(text: text, using: &g)
            tally(Self.outcome("f.txt") { _ = try TextFiles.parseFeatures(badText, source: "f.txt") })

            let gtText = try FileSystem.readText(Self.sample + "/groundTruth/" + video)
            let badGt = Self.mutate(text: gtText, using: &g)
            tally(Self.outcome("gt") { _ = try mapping.ids(for: TextFiles.parseLabelNames(badGt, source: "gt"), source: "gt") })
            tally(Self.outcome("gt") { _ = try TextFiles.parseIntegerLabels(badGt, source: "gt") })
            tally(Self.outcome("mapping.txt") { _ = try ActionMapping.parse(Self.mutate(text: mappingText, using: &g), source: "mapping.txt") })
        }
        #expect(counts.accepted + counts.rejected >= 300)
        #expect(counts.rejected > 100, "mutations should mostly be caught: \(counts)")
    }

    @Test("mutated files through clot evaluate and clot segment: no crash, every rejection named")
    func commands() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var g = MersenneTwister(seed: 7)
        let video = "P03_cam01_P03_coffee"
        let prediction = try FileSystem.readText(fixturesDirectory + "/sample/predictions-equal-split/\(video).txt")
        let truth = try FileSystem.readText(Self.sample + "/groundTruth/" + video)
        var runs = 0
        for round in 0..<60 {
            let pred = dir + "/pred\(round).txt", gt = dir + "/gt\(round)"
            try Self.mutate(text: prediction, using: &g).write(toFile: pred, atomically: true, encoding: .utf8)
            try (round % 2 == 0 ? Self.mutate(text: truth, using: &g) : truth).write(toFile: gt, atomically: true, encoding: .utf8)
            _ = Self.outcome(dir) {
                var command = try ClotCommand.parseAsRoot(["evaluate", "--pred", pred, "--gt", gt, "--mapping", Self.sample + "/mapping/mapping.txt", "--json"])
                try command.run()
            }
            var affinity = Matrix<Double>.zeros(30, 4)
            for i in 0..<30 { affinity[i, i * 4 / 30] = 1 }
            let npy = dir + "/a\(round).npy"
            try Data(Self.mutate(npy: NPY.encode(NPYArray(affinity.float32)), using: &g)).write(to: URL(fileURLWithPath: npy))
            _ = Self.outcome(npy) {
                var command = try ClotCommand.parseAsRoot(["segment", "--affinity", npy, "--labels", dir + "/labels\(round).txt"])
                try command.run()
            }
            runs += 2
        }
        #expect(runs >= 100)
    }
}
