import CLOTCore
import Foundation
import Testing
import TestSupport

/// NumPy `.npy` reading and writing without Python: round trips, headers built byte by byte as
/// NumPy lays them out, and every malformed file rejected with an error naming it.
@Suite struct NPYTests {
    // MARK: Building files by hand

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// A `.npy` file: magic, version, little-endian header length (2 bytes in 1.0, 4 in 2.0
    /// and 3.0), the header dict padded with spaces and ended by "\n" so that the data starts
    /// on a multiple of 64 bytes, then the body.
    static func file(_ dict: String, version: UInt8 = 1, body: [UInt8], claimedLength: Int? = nil) -> [UInt8] {
        let preamble = version == 1 ? 10 : 12
        var header = dict
        let unpadded = preamble + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = claimedLength ?? header.utf8.count
        var bytes = magic + [version, 0, UInt8(length & 0xff), UInt8((length >> 8) & 0xff)]
        if version != 1 { bytes += [UInt8((length >> 16) & 0xff), UInt8((length >> 24) & 0xff)] }
        return bytes + Array(header.utf8) + body
    }

    static func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    }

    static func float32Body(_ values: [Float]) -> [UInt8] { littleEndian(values.map(\.bitPattern)) }
    static func float64Body(_ values: [Double]) -> [UInt8] { littleEndian(values.map(\.bitPattern)) }

    // MARK: Round trips

    /// Values compared by bit pattern, so NaN payloads and −0 count too.
    static func bits(_ values: NPYArray.Values) -> [UInt64] {
        switch values {
        case .float32(let v): v.map { UInt64($0.bitPattern) }
        case .float64(let v): v.map(\.bitPattern)
        case .int64(let v): v.map { UInt64(bitPattern: $0) }
        }
    }

    static func expectRoundTrip(_ array: NPYArray, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = NPY.encode(array)
        let decoded = try NPY.decode(bytes, source: "roundtrip.npy")
        #expect(decoded.shape == array.shape, sourceLocation: sourceLocation)
        #expect(bits(decoded.values) == bits(array.values), sourceLocation: sourceLocation)
        // Layout of version 1.0: the data starts on a 64-byte boundary after a "\n"-ended header.
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect(Array(bytes[0..<8]) == magic + [1, 0], sourceLocation: sourceLocation)
        #expect((10 + headerLength) % 64 == 0, sourceLocation: sourceLocation)
        #expect(bytes[10 + headerLength - 1] == UInt8(ascii: "\n"), sourceLocation: sourceLocation)
    }

    static let specialFloats: [Float] = [0, -0.0, 1.5, -2.25, .infinity, -.infinity, .nan,
                                         .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e-20, 3.1415927, 7]
    static let specialDoubles: [Double] = [0, -0.0, 1.5, -2.25, .infinity, -.infinity, .nan,
                                           .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e-300, .pi, 7]
    static let integers: [Int64] = [0, -1, 1, .min, .max, 42, -42, 1 << 53, 7, 8, 9, 10]

    @Test("float32, float64 and int64 round-trip in 1-D and 2-D shapes, with 0 rows",
          arguments: [[12], [3, 4], [4, 3], [12, 1], [1, 12], [0], [0, 5], [0, 0]])
    func roundTrip(shape: [Int]) throws {
        let count = shape.reduce(1, *)
        try Self.expectRoundTrip(NPYArray(shape: shape, values: .float32(Array(Self.specialFloats.prefix(count)))))
        try Self.expectRoundTrip(NPYArray(shape: shape, values: .float64(Array(Self.specialDoubles.prefix(count)))))
        try Self.expectRoundTrip(NPYArray(shape: shape, values: .int64(Array(Self.integers.prefix(count)))))
    }

    @Test("matrices round-trip through a file on disk")
    func fileRoundTrip() throws {
        let folder = temporaryDirectory()
        defer { removeDirectory(folder) }
        let matrix = Matrix<Double>([[1, 2, 3], [4, 5, 6]])
        try NPY.write(NPYArray(matrix), to: folder + "/m.npy")
        let back = try NPY.read(folder + "/m.npy")
        #expect(back.shape == [2, 3])
        #expect(try back.matrix() == matrix)
        try NPY.write(NPYArray(matrix.float32), to: folder + "/f.npy")
        #expect(try NPY.read(folder + "/f.npy").values == .float32([1, 2, 3, 4, 5, 6]))
        // No temporary file is left beside the written one.
        #expect(try FileSystem.contents(of: folder) == ["f.npy", "m.npy"])
    }

    @Test("a 1-D array becomes an n × 1 matrix")
    func oneDimensionalMatrix() throws {
        let array = NPYArray(shape: [3], values: .int64([4, 5, 6]))
        let matrix = try array.matrix()
        #expect(matrix.rows == 3 && matrix.columns == 1 && matrix.elements == [4, 5, 6])
    }

    // MARK: Files as NumPy writes them

    @Test("version 1.0, '<f4', shape (2, 2), as numpy.save writes it")
    func numpyVersion1Float32() throws {
        // numpy.save(np.array([[1.5, -2], [0.25, 3]], '<f4')): header length 0x76 = 118.
        let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }"
        let body: [UInt8] = [0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0,
                             0x00, 0x00, 0x80, 0x3e, 0x00, 0x00, 0x40, 0x40]
        let bytes = Self.file(dict, body: body)
        #expect(bytes.count == 10 + 118 + 16 && bytes[8] == 0x76)
        let array = try NPY.decode(bytes, source: "v1.npy")
        #expect(array.shape == [2, 2])
        #expect(array.values == .float32([1.5, -2, 0.25, 3]))
    }

    @Test("version 1.0, '<i4', shape (3,): read as int64")
    func numpyVersion1Int32() throws {
        let dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }"
        let array = try NPY.decode(Self.file(dict, body: Self.littleEndian([Int32(-1), 0, 7])), source: "i4.npy")
        #expect(array.shape == [3])
        #expect(array.values == .int64([-1, 0, 7]))
    }

    @Test("version 2.0 (4-byte header length), '<f8', shape (2, 3)")
    func numpyVersion2() throws {
        let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
        let bytes = Self.file(dict, version: 2, body: Self.float64Body([0, 1, 2, 3, 4, 5]))
        #expect(Array(bytes[6..<12]) == [2, 0, 0x74, 0, 0, 0])
        let array = try NPY.decode(bytes, source: "v2.npy")
        #expect(array.shape == [2, 3])
        #expect(try array.matrix() == Matrix<Double>([[0, 1, 2], [3, 4, 5]]))
    }

    @Test("version 3.0 (UTF-8 header), '<i8', shape (0, 7)")
    func numpyVersion3() throws {
        let dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (0, 7), }"
        let array = try NPY.decode(Self.file(dict, version: 3, body: []), source: "v3.npy")
        #expect(array.shape == [0, 7] && array.count == 0)
    }

    @Test("header keys in another order and without spaces still parse")
    func headerKeyOrder() throws {
        let dict = "{'shape':(2,),'fortran_order':False,'descr':'<f8'}"
        let array = try NPY.decode(Self.file(dict, body: Self.float64Body([2.5, -1])), source: "order.npy")
        #expect(array.shape == [2] && array.values == .float64([2.5, -1]))
    }

    // MARK: Rejections

    static func dict(descr: String = "<f8", fortran: String = "False", shape: String = "(2, 2)") -> String {
        "{'descr': '\(descr)', 'fortran_order': \(fortran), 'shape': \(shape), }"
    }

    static let fourDoubles = float64Body([1, 2, 3, 4])

    @Test("bad magic string")
    func badMagic() {
        var bytes = Self.file(Self.dict(), body: Self.fourDoubles)
        bytes[1] = UInt8(ascii: "X")
        expectInputError(mentioning: ["bad.npy", "magic"]) { try NPY.decode(bytes, source: "bad.npy") }
        expectInputError(mentioning: ["text.npy", "magic"]) { try NPY.decode(Array("1 2 3\n".utf8), source: "text.npy") }
        expectInputError(mentioning: ["empty.npy", "magic"]) { try NPY.decode([], source: "empty.npy") }
    }

    @Test("truncated body")
    func truncatedBody() {
        let bytes = Self.file(Self.dict(), body: Array(Self.fourDoubles.dropLast(8)))
        expectInputError(mentioning: ["short.npy", "truncated", "body"]) { try NPY.decode(bytes, source: "short.npy") }
    }

    @Test("truncated header")
    func truncatedHeader() {
        let full = Self.file(Self.dict(), body: Self.fourDoubles)
        // Cut inside the header dict: the header length claims more than the file holds.
        expectInputError(mentioning: ["cut.npy", "header"]) { try NPY.decode(Array(full.prefix(40)), source: "cut.npy") }
        // Cut inside the preamble (magic and version only; a 2.0 preamble missing its length).
        expectInputError(mentioning: ["pre.npy", "truncated", "header"]) { try NPY.decode(Array(full.prefix(8)), source: "pre.npy") }
        let v2 = Self.file(Self.dict(), version: 2, body: Self.fourDoubles)
        expectInputError(mentioning: ["pre2.npy", "truncated", "header"]) { try NPY.decode(Array(v2.prefix(11)), source: "pre2.npy") }
    }

    @Test("absurd header length")
    func absurdHeaderLength() {
        let bytes = Self.file(Self.dict(), version: 2, body: Self.fourDoubles, claimedLength: 0x7fff_ffff)
        expectInputError(mentioning: ["huge.npy", "absurd", "header"]) { try NPY.decode(bytes, source: "huge.npy") }
    }

    @Test("unsupported format version")
    func unsupportedVersion() {
        var bytes = Self.file(Self.dict(), body: Self.fourDoubles)
        bytes[6] = 9
        expectInputError(mentioning: ["v9.npy", "version 9"]) { try NPY.decode(bytes, source: "v9.npy") }
    }

    @Test("Fortran order")
    func fortranOrder() {
        let bytes = Self.file(Self.dict(fortran: "True"), body: Self.fourDoubles)
        expectInputError(mentioning: ["f.npy", "Fortran"]) { try NPY.decode(bytes, source: "f.npy") }
    }

    @Test("big-endian data", arguments: [">f8", ">f4", ">i8"])
    func bigEndian(descr: String) {
        let bytes = Self.file(Self.dict(descr: descr), body: Self.fourDoubles)
        expectInputError(mentioning: ["be.npy", "big-endian"]) { try NPY.decode(bytes, source: "be.npy") }
    }

    @Test("unsupported dtypes", arguments: ["<c16", "|b1", "|u1", "<f2", "|O"])
    func unsupportedDtype(descr: String) {
        let bytes = Self.file(Self.dict(descr: descr), body: Array(repeating: 0, count: 64))
        expectInputError(mentioning: ["dt.npy", "unsupported", descr]) { try NPY.decode(bytes, source: "dt.npy") }
    }

    @Test("shapes other than 1-D and 2-D", arguments: ["(2, 2, 1)", "()"])
    func wrongRank(shape: String) {
        let bytes = Self.file(Self.dict(shape: shape), body: Self.fourDoubles)
        expectInputError(mentioning: ["rank.npy", "1-D or 2-D"]) { try NPY.decode(bytes, source: "rank.npy") }
    }

    @Test("unreadable shapes", arguments: ["(2, x)", "[2, 2]", "(-2, 2)", "2"])
    func unreadableShape(shape: String) {
        let bytes = Self.file(Self.dict(shape: shape), body: Self.fourDoubles)
        expectInputError(mentioning: ["shape.npy", "unreadable 'shape'"]) { try NPY.decode(bytes, source: "shape.npy") }
    }

    @Test("a shape whose size overflows")
    func overflowingShape() {
        let bytes = Self.file(Self.dict(shape: "(4611686018427387904, 4)"), body: Self.fourDoubles)
        expectInputError(mentioning: ["big.npy", "absurd shape"]) { try NPY.decode(bytes, source: "big.npy") }
    }

    @Test("a header without its keys")
    func missingKeys() {
        let bytes = Self.file("{'descr': '<f8', 'shape': (2, 2), }", body: Self.fourDoubles)
        expectInputError(mentioning: ["keys.npy", "fortran_order"]) { try NPY.decode(bytes, source: "keys.npy") }
    }

    @Test("a missing file and a folder are errors naming the path")
    func unreadablePaths() {
        let folder = temporaryDirectory()
        defer { removeDirectory(folder) }
        expectInputError(mentioning: [folder + "/none.npy", "cannot read"]) { try NPY.read(folder + "/none.npy") }
        expectInputError(mentioning: [folder, "folder"]) { try NPY.read(folder) }
    }
}
