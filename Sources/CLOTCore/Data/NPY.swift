import Foundation

/// An array read from or written to a NumPy `.npy` file.
///
/// Supported, without Python: format versions 1.0, 2.0 and 3.0; little-endian `float32`,
/// `float64`, `int64` (and `int32` on reading); C order; 1-D and 2-D shapes. Anything else —
/// Fortran order, big-endian data, other dtypes, other ranks, a truncated body, a header that
/// does not parse or claims more bytes than the file has — is rejected with an `InputError`
/// that names the file. Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
public struct NPYArray: Equatable, Sendable {
    public enum Values: Equatable, Sendable {
        case float32([Float])
        case float64([Double])
        case int64([Int64])
    }

    public var shape: [Int]
    public var values: Values

    public init(shape: [Int], values: Values) {
        self.shape = shape
        self.values = values
    }

    public init(_ matrix: Matrix<Float>) { self.init(shape: [matrix.rows, matrix.columns], values: .float32(matrix.elements)) }
    public init(_ matrix: Matrix<Double>) { self.init(shape: [matrix.rows, matrix.columns], values: .float64(matrix.elements)) }

    public var count: Int {
        switch values {
        case .float32(let v): v.count
        case .float64(let v): v.count
        case .int64(let v): v.count
        }
    }

    /// The values widened to Double (int64 converted exactly below 2⁵³).
    public var doubles: [Double] {
        switch values {
        case .float32(let v): v.map(Double.init)
        case .float64(let v): v
        case .int64(let v): v.map(Double.init)
        }
    }

    /// A 2-D array as a matrix; a 1-D array of length n as n × 1.
    public func matrix(source: String = "array") throws -> Matrix<Double> {
        switch shape.count {
        case 2: return Matrix(rows: shape[0], columns: shape[1], elements: doubles)
        case 1: return Matrix(rows: shape[0], columns: 1, elements: doubles)
        default: throw InputError(source, "expected a 1-D or 2-D array, got shape \(shape)")
        }
    }
}

public enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    /// Headers longer than this are refused as absurd (NumPy itself limits them to 10 000 bytes
    /// unless asked otherwise).
    public static let maximumHeaderLength = 1 << 16

    // MARK: Reading

    public static func read(_ path: String) throws -> NPYArray {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(path, FileSystem.isDirectory(path) ? "is a folder, not a .npy file" : "cannot read file (missing or unreadable)")
        }
        return try decode([UInt8](data), source: path)
    }

    public static func decode(_ bytes: [UInt8], source: String) throws -> NPYArray {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw InputError(source, "not a NumPy .npy file (bad magic string)")
        }
        guard bytes.count >= 10 else {
            throw InputError(source, "truncated .npy header (\(bytes.count) bytes)")
        }
        let major = bytes[6]
        let (headerLength, headerStart): (Int, Int)
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw InputError(source, "truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw InputError(source, "unsupported .npy format version \(major).\(bytes[7])")
        }
        guard headerLength <= maximumHeaderLength else {
            throw InputError(source, "absurd .npy header length \(headerLength) bytes")
        }
        guard headerStart + headerLength <= bytes.count else {
            throw InputError(source, ".npy header claims \(headerLength) bytes but the file has \(bytes.count - headerStart) after the preamble")
        }
        guard let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw InputError(source, ".npy header is not text")
        }
        let (descr, fortran, shape) = try parseHeader(header, source: source)
        guard !fortran else {
            throw InputError(source, "Fortran-ordered .npy arrays are not supported",
                             hint: "save with numpy.save(path, numpy.ascontiguousarray(a))")
        }
        guard shape.count == 1 || shape.count == 2 else {
            throw InputError(source, "expected a 1-D or 2-D array, got shape \(shape)")
        }
        let count = try shape.reduce(1) { total, n in
            let (product, overflow) = total.multipliedReportingOverflow(by: n)
            guard !overflow else { throw InputError(source, "absurd shape \(shape)") }
            return product
        }
        let body = bytes[(headerStart + headerLength)...]
        return NPYArray(shape: shape, values: try decodeBody(body, descr: descr, count: count, source: source))
    }

    private static func decodeBody(_ body: ArraySlice<UInt8>, descr: String, count: Int, source: String) throws -> NPYArray.Values {
        let width: Int
        switch descr {
        case "<f4", "<i4": width = 4
        case "<f8", "<i8": width = 8
        case ">f4", ">f8", ">i8", ">i4":
            throw InputError(source, "big-endian .npy data ('\(descr)') is not supported", hint: "save with a.astype('<f4')")
        default:
            throw InputError(source, "unsupported .npy dtype '\(descr)'", hint: "use float32, float64 or int64")
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, body.count >= needed else {
            throw InputError(source, "truncated .npy body: \(body.count) bytes, \(overflow ? "more than memory" : String(needed)) needed")
        }
        return body.withUnsafeBytes { raw -> NPYArray.Values in
            switch descr {
            case "<f4": .float32((0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) })
            case "<f8": .float64((0..<count).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) })
            case "<i4": .int64((0..<count).map { Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) })
            default: .int64((0..<count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) })
            }
        }
    }

    /// Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
    static func parseHeader(_ header: String, source: String) throws -> (descr: String, fortran: Bool, shape: [Int]) {
        func value(of key: String) throws -> Substring {
            guard let keyRange = header.range(of: "'\(key)'"),
                  let colon = header[keyRange.upperBound...].firstIndex(of: ":") else {
                throw InputError(source, ".npy header has no '\(key)'")
            }
            return header[header.index(after: colon)...].drop { $0 == " " }
        }
        let descrField = try value(of: "descr")
        guard descrField.first == "'", let end = descrField.dropFirst().firstIndex(of: "'") else {
            throw InputError(source, ".npy header has an unreadable 'descr'")
        }
        let descr = String(descrField[descrField.index(after: descrField.startIndex)..<end])
        let fortranField = try value(of: "fortran_order")
        let fortran: Bool
        if fortranField.hasPrefix("True") { fortran = true }
        else if fortranField.hasPrefix("False") { fortran = false }
        else { throw InputError(source, ".npy header has an unreadable 'fortran_order'") }
        let shapeField = try value(of: "shape")
        guard shapeField.first == "(", let close = shapeField.firstIndex(of: ")") else {
            throw InputError(source, ".npy header has an unreadable 'shape'")
        }
        let inside = shapeField[shapeField.index(after: shapeField.startIndex)..<close]
        var shape: [Int] = []
        for part in inside.split(separator: ",") {
            let text = part.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let n = Int(text), n >= 0 else {
                throw InputError(source, ".npy header has an unreadable 'shape' entry '\(text)'")
            }
            shape.append(n)
        }
        return (descr, fortran, shape)
    }

    // MARK: Writing

    /// Encodes an array as a version 1.0 `.npy` file (header padded to a multiple of 64 bytes).
    public static func encode(_ array: NPYArray) -> [UInt8] {
        let descr: String
        var body: [UInt8] = []
        switch array.values {
        case .float32(let v):
            descr = "<f4"
            body.reserveCapacity(v.count * 4)
            for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { body += $0 } }
        case .float64(let v):
            descr = "<f8"
            body.reserveCapacity(v.count * 8)
            for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { body += $0 } }
        case .int64(let v):
            descr = "<i8"
            body.reserveCapacity(v.count * 8)
            for x in v { withUnsafeBytes(of: x.littleEndian) { body += $0 } }
        }
        let shapeText = array.shape.count == 1 ? "(\(array.shape[0]),)" : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = magic.count + 2 + 2 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = header.utf8.count
        return magic + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(header.utf8) + body
    }

    /// Writes atomically (temporary file, then rename).
    public static func write(_ array: NPYArray, to path: String) throws {
        try FileSystem.writeAtomically(encode(array), to: path)
    }
}
