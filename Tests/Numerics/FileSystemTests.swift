import CLOTCore
import Foundation
import Testing
import TestSupport

/// The atomic writers of `FileSystem`: what they write, that they replace a file whole, and
/// that they fail with an `InputError` naming the path.
@Suite struct FileSystemTests {
    @Test("writeLabels writes one decimal label per line, as string interpolation would")
    func labels() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var generator = MersenneTwister(seed: 17)
        var labels = (0..<500).map { _ in Int(generator.uniform() * 30) }
        labels += [0, 9, 10, 99, 100, 123_456_789, -1, -40, Int.max, Int.min]
        try FileSystem.writeLabels(labels, to: dir + "/labels.txt")
        #expect(try FileSystem.readText(dir + "/labels.txt") == labels.map { "\($0)\n" }.joined())
        try FileSystem.writeLabels([], to: dir + "/empty.txt")
        #expect(try FileSystem.readText(dir + "/empty.txt") == "")
    }

    @Test("writeAtomically replaces an existing file whole and leaves no temporary file")
    func replaces() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileSystem.writeAtomically("a long first version\n", to: dir + "/out.txt")
        try FileSystem.writeAtomically("short\n", to: dir + "/out.txt")
        #expect(try FileSystem.readText(dir + "/out.txt") == "short\n")
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try FileSystem.writeAtomically(big, to: dir + "/big.bin")
        #expect(FileManager.default.contents(atPath: dir + "/big.bin").map(Array.init) == big)
        #expect(try FileSystem.contents(of: dir) == ["big.bin", "out.txt"])
    }

    @Test("writeAtomically into a missing folder is an InputError naming the file")
    func missingFolder() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/no/such/folder/out.txt"
        #expect(throws: InputError.self) { try FileSystem.writeAtomically("x", to: path) }
        do {
            try FileSystem.writeLabels([1, 2], to: path)
        } catch let error as InputError {
            #expect(error.description.contains("out.txt"))
        }
    }
}
