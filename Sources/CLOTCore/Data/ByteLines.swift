import Foundation

/// The lines of an ASCII text held as bytes, split exactly as `TextFiles.lines` splits the
/// same text held as a `String`.
///
/// In ASCII text every byte is one `Character` except "\r\n", so `TextFiles.lines` — split at
/// the Characters "\n" and "\r\n", drop a final empty line, drop one trailing "\r" of each
/// line — amounts to: lines end at each "\n"; a "\r" right before it belongs to that line
/// end, and one more trailing "\r" is dropped; the bytes after the last "\n", when there are
/// any, are a last line, one trailing "\r" dropped.
struct ByteLines {
    /// One line: its bytes `start ..< end`, without the line end.
    typealias Line = (start: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>)

    /// Where the next line starts.
    private(set) var cursor: UnsafePointer<UInt8>
    let end: UnsafePointer<UInt8>
    /// The 1-based number of the line `next()` returned last.
    private(set) var number = 0

    init(_ start: UnsafePointer<UInt8>, count: Int) {
        cursor = start
        end = start + count
    }

    /// The next line without its line end; nil after the last.
    mutating func next() -> Line? {
        guard cursor < end else { return nil }
        number += 1
        let lineStart = cursor
        var lineEnd: UnsafePointer<UInt8>
        var droppable: Int
        if let newline = memchr(cursor, Int32(ASCII.newline), end - cursor) {
            lineEnd = UnsafePointer(newline.assumingMemoryBound(to: UInt8.self))
            cursor = lineEnd + 1
            droppable = 2       // the "\r" of "\r\n", then one trailing "\r"
        } else {
            lineEnd = end
            cursor = end
            droppable = 1       // one trailing "\r"
        }
        while droppable > 0 && lineEnd > lineStart && (lineEnd - 1).pointee == ASCII.carriageReturn {
            lineEnd -= 1
            droppable -= 1
        }
        return (lineStart, lineEnd)
    }

    /// How many lines are left: at most one more than the "\n" still ahead.
    func remainingLineBound() -> Int {
        var count = 1
        var p = cursor
        while p < end, let newline = memchr(p, Int32(ASCII.newline), end - p) {
            count += 1
            p = UnsafePointer(newline.assumingMemoryBound(to: UInt8.self)) + 1
        }
        return count
    }
}

/// The ASCII bytes the text readers look for, and the tests on them.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let plus: UInt8 = 0x2B
    static let minus: UInt8 = 0x2D
    static let point: UInt8 = 0x2E
    static let zero: UInt8 = 0x30
    static let lowercaseE: UInt8 = 0x65

    /// The ASCII bytes `Character.isWhitespace` holds for: tab, line feed, vertical tab, form
    /// feed, carriage return, space.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || (byte >= tab && byte <= carriageReturn)
    }

    /// Whether every byte is ASCII (below 0x80).
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        !bytes.contains(where: { $0 >= 0x80 })
    }

    /// The bytes after a leading UTF-8 byte-order mark, if there is one (decoding as UTF-8
    /// drops it).
    static func droppingByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let hasMark = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        return hasMark ? UnsafeBufferPointer(rebasing: bytes[3...]) : bytes
    }
}
