import Foundation

/// The byte-level reader of a features text: one frame per line, numbers separated by spaces
/// or tabs, the same count on every line (`numpy.loadtxt`), parsed in place from the file's
/// bytes into the matrix's storage, allocated once at its final size.
///
/// It reads the text exactly as `TextFiles.parseFeaturesAsCharacters` does — the line ends,
/// the fields, every Double and every error message — for every text whose bytes are all
/// ASCII. In ASCII text every byte is one `Character` except "\r\n", so:
/// - lines are those of `ByteLines`;
/// - fields are the runs of bytes between spaces and tabs;
/// - each field is read by `DecimalParsing`, which accepts what `Double(_:)` accepts.
/// A byte outside ASCII (the Character reader would decode it, and could join a space with a
/// following combining mark into one Character) makes `parse` return nil, and the caller
/// then reads the text as Characters. Real feature files never contain one.
struct FeatureTextParser {
    let source: String
    let text: UnsafeBufferPointer<UInt8>
    private var lines: ByteLines

    private init(_ text: UnsafeBufferPointer<UInt8>, start: UnsafePointer<UInt8>, source: String) {
        self.source = source
        self.text = text
        lines = ByteLines(start, count: text.count)
    }

    /// The matrix a features text holds (its bytes, without a byte-order mark), or nil when
    /// some byte is not ASCII. Throws the `InputError` of the first fault, as the Character
    /// reader words it: an empty file, a ragged row, a field that is not a number or not finite.
    static func parse(_ text: UnsafeBufferPointer<UInt8>, source: String) throws -> Matrix<Double>? {
        guard let start = text.baseAddress, !text.isEmpty else {
            throw InputError(source, "holds no frames (empty features file)")
        }
        var parser = FeatureTextParser(text, start: start, source: source)
        return try parser.parseMatrix()
    }

    // MARK: The matrix

    private mutating func parseMatrix() throws -> Matrix<Double>? {
        // The first line with a field sets the width; it is read by the general row reader.
        var first: [Double] = []
        while first.isEmpty, let line = lines.next() {
            guard let row = try readRow(line, columns: nil) else { return nil }
            first = row
        }
        guard !first.isEmpty else { return try fail(InputError(source, "holds no frames (empty features file)")) }
        let columns = first.count
        // Every later frame starts a line of its own and takes at least 2 · columns − 1 bytes
        // (a byte per field, a separator between fields) plus its "\n" unless it is last.
        let remaining = lines.end - lines.cursor
        let capacity = 1 + min(lines.remainingLineBound(), (remaining + 1) / (2 * columns))

        var rows = 1
        var someByteIsNotASCII = false
        let powers = PowersOfTen.significands
        let elements = try [Double](unsafeUninitializedCapacity: capacity * columns) { buffer, initialized in
            let storage = buffer.baseAddress!
            storage.initialize(from: first, count: columns)
            while let line = lines.next() {
                guard rows < capacity else {
                    // Past the bound only blank lines and faulty ones can come.
                    guard let values = try readRow(line, columns: columns) else { someByteIsNotASCII = true; break }
                    precondition(values.isEmpty, "a features text of this size has at most \(capacity) frames")
                    continue
                }
                let row = storage + rows * columns
                let outcome = Self.readRowFast(line, into: row, columns: columns, powers: powers)
                if outcome == .complete { rows += 1; continue }
                if outcome == .blank { continue }
                guard let values = try readRow(line, columns: columns) else { someByteIsNotASCII = true; break }
                row.initialize(from: values, count: columns)
                rows += 1
            }
            initialized = rows * columns
        }
        if someByteIsNotASCII { return nil }
        return Matrix(rows: rows, columns: columns, elements: elements)
    }

    // MARK: Rows

    enum FastRow { case complete, blank, undecided }

    /// Reads one line of exactly `columns` plain decimal numbers into `row`. `.undecided` when a
    /// field is not in the plain form, the fast methods decline it, it is not finite, or the
    /// line has another number of fields: `readRow` then reads the line again and decides.
    @inline(__always)
    private static func readRowFast(_ line: ByteLines.Line, into row: UnsafeMutablePointer<Double>, columns: Int,
                                    powers: UnsafeBufferPointer<PowersOfTen.Significand>) -> FastRow {
        var p = line.start
        var column = 0
        while true {
            while p < line.end && (p.pointee == ASCII.space || p.pointee == ASCII.tab) { p += 1 }
            if p == line.end { break }
            guard column < columns,
                  let value = DecimalParsing.parseFast(&p, end: line.end, powers: powers), value.isFinite else {
                return .undecided
            }
            row[column] = value
            column += 1
        }
        if column == columns { return .complete }
        return column == 0 ? .blank : .undecided
    }

    /// Reads one line field by field, with the exact slow path where needed: the values (empty
    /// for a blank line), or nil when the text holds a byte outside ASCII. With `columns`
    /// given, a line with another number of fields is an error.
    private func readRow(_ line: ByteLines.Line, columns: Int?) throws -> [Double]? {
        let fields = Self.fields(line)
        if let columns, !fields.isEmpty, fields.count != columns {
            return try fail(InputError(source, line: lines.number, "has \(fields.count) values, earlier lines have \(columns)",
                                       hint: "every frame needs the same number of features"))
        }
        var values: [Double] = []
        values.reserveCapacity(fields.count)
        for (column, field) in fields.enumerated() {
            if field.contains(where: { $0 >= 0x80 }) { return nil }
            guard let value = DecimalParsing.parse(field.baseAddress!, count: field.count) else {
                let text = String(decoding: field.prefix(20), as: UTF8.self)
                return try fail(InputError(source, line: lines.number, "field \(column + 1) '\(text)' is not a number"))
            }
            guard value.isFinite else {
                let text = String(decoding: field, as: UTF8.self)
                return try fail(InputError(source, line: lines.number, "field \(column + 1) is \(text), features must be finite"))
            }
            values.append(value)
        }
        return values
    }

    /// The runs of bytes between spaces and tabs.
    private static func fields(_ line: ByteLines.Line) -> [UnsafeBufferPointer<UInt8>] {
        var fields: [UnsafeBufferPointer<UInt8>] = []
        var p = line.start
        while p < line.end {
            if p.pointee == ASCII.space || p.pointee == ASCII.tab { p += 1; continue }
            let fieldStart = p
            while p < line.end && p.pointee != ASCII.space && p.pointee != ASCII.tab { p += 1 }
            fields.append(UnsafeBufferPointer(start: fieldStart, count: p - fieldStart))
        }
        return fields
    }

    /// Throws `error` — unless a byte of the text is outside ASCII, when the Character reader
    /// must judge the whole text (its first complaint could be another one, such as the text
    /// not being UTF-8): then nil.
    private func fail<T>(_ error: InputError) throws -> T? {
        if !ASCII.isASCII(text) { return nil }
        throw error
    }
}
