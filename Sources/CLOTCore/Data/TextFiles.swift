/// Readers for the plain-text files of the standard layout (Documentation/Method.md §1), each validating
/// as it reads and naming the file and line of the first fault.
public enum TextFiles {
    /// Lines of a text file without their line ends ("\n" or "\r\n"); a final line end does not
    /// start another line, as Python's line iteration treats it.
    public static func lines(_ text: String) -> [Substring] {
        // "\r\n" is one Character in Swift, so splitting on "\n" alone would not split it.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
    }

    /// A features file: one frame per line, numbers separated by spaces or tabs, the same count
    /// on every line (`numpy.loadtxt`). Rejects an empty file, ragged rows, non-numeric fields
    /// and NaN or infinite values, naming the line (and field) of the first fault.
    ///
    /// Reads the file's bytes with `FeatureTextParser` — one buffer of the file's size, the
    /// matrix allocated once, every field the correctly rounded Double — and falls back to
    /// decoding the text as Characters when some byte is not ASCII.
    public static func readFeatures(_ path: String) throws -> Matrix<Double> {
        try parseFeatures(bytes: FileSystem.readBytes(path), source: path)
    }

    /// The features a file's bytes hold, read as `readFeatures` reads the file.
    public static func parseFeatures(bytes: [UInt8], source path: String) throws -> Matrix<Double> {
        let parsed = try bytes.withUnsafeBufferPointer {
            try FeatureTextParser.parse(ASCII.droppingByteOrderMark($0), source: path)
        }
        if let parsed { return parsed }
        return try parseFeaturesAsCharacters(FileSystem.decodeUTF8(bytes, source: path), source: path)
    }

    /// The features a text holds, read as `readFeatures` reads a file's text.
    public static func parseFeatures(_ text: String, source: String) throws -> Matrix<Double> {
        var text = text
        if let parsed = try text.withUTF8({ try FeatureTextParser.parse($0, source: source) }) { return parsed }
        return try parseFeaturesAsCharacters(text, source: source)
    }

    /// The features of a text read as Swift `Character`s: lines split at "\n" and "\r\n",
    /// fields at the Characters " " and "\t", each field read by `Double(_:)`. The reference
    /// `FeatureTextParser` matches on ASCII text, and the reader of text with other bytes.
    static func parseFeaturesAsCharacters(_ text: String, source: String) throws -> Matrix<Double> {
        var values: [Double] = []
        var columns = -1
        var rows = 0
        for (index, line) in lines(text).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.isEmpty { continue }
            if columns < 0 { columns = fields.count; values.reserveCapacity(columns * 1024) }
            guard fields.count == columns else {
                throw InputError(source, line: index + 1, "has \(fields.count) values, earlier lines have \(columns)",
                                 hint: "every frame needs the same number of features")
            }
            for (column, field) in fields.enumerated() {
                guard let x = Double(field) else {
                    throw InputError(source, line: index + 1, "field \(column + 1) '\(field.prefix(20))' is not a number")
                }
                guard x.isFinite else {
                    throw InputError(source, line: index + 1, "field \(column + 1) is \(field), features must be finite")
                }
                values.append(x)
            }
            rows += 1
        }
        guard rows > 0 else { throw InputError(source, "holds no frames (empty features file)") }
        return Matrix(rows: rows, columns: columns, elements: values)
    }

    /// A ground-truth file: one label per line, trailing whitespace removed (`line.rstrip()`).
    /// ASCII files are split as bytes (`ByteLines`), others as Characters; the same names and
    /// errors either way.
    public static func readLabelNames(_ path: String) throws -> [String] {
        try parseLabelNames(bytes: FileSystem.readBytes(path), source: path)
    }

    /// The label names a ground-truth file's bytes hold, read as `readLabelNames` reads the file.
    public static func parseLabelNames(bytes: [UInt8], source path: String) throws -> [String] {
        let names = try bytes.withUnsafeBufferPointer { try parseLabelNamesASCII(ASCII.droppingByteOrderMark($0), source: path) }
        if let names { return names }
        return try parseLabelNames(FileSystem.decodeUTF8(bytes, source: path), source: path)
    }

    /// The label names of an ASCII text's bytes, as `parseLabelNames` reads the same text; nil
    /// when some byte is not ASCII.
    static func parseLabelNamesASCII(_ text: UnsafeBufferPointer<UInt8>, source: String) throws -> [String]? {
        guard ASCII.isASCII(text) else { return nil }
        var names: [String] = []
        if let start = text.baseAddress {
            var lines = ByteLines(start, count: text.count)
            while let line = lines.next() {
                var end = line.end
                while end > line.start && ASCII.isWhitespace((end - 1).pointee) { end -= 1 }
                guard end > line.start else {
                    throw InputError(source, line: lines.number, "empty label", hint: "one action label per frame, no blank lines")
                }
                names.append(String(decoding: UnsafeBufferPointer(start: line.start, count: end - line.start), as: UTF8.self))
            }
        }
        guard !names.isEmpty else { throw InputError(source, "holds no labels (empty ground-truth file)") }
        return names
    }

    /// A ground-truth text: one label per line, trailing whitespace removed (`line.rstrip()`).
    public static func parseLabelNames(_ text: String, source: String) throws -> [String] {
        var names: [String] = []
        for (index, line) in lines(text).enumerated() {
            let name = String(line.reversed().drop(while: { $0.isWhitespace }).reversed())
            guard !name.isEmpty else {
                throw InputError(source, line: index + 1, "empty label", hint: "one action label per frame, no blank lines")
            }
            names.append(name)
        }
        guard !names.isEmpty else { throw InputError(source, "holds no labels (empty ground-truth file)") }
        return names
    }

    /// A prediction file or integer ground truth: one integer per line.
    public static func parseIntegerLabels(_ text: String, source: String) throws -> [Int] {
        var labels: [Int] = []
        var all = lines(text)
        while let last = all.last, last.trimmingWhitespace.isEmpty { all.removeLast() }
        for (index, line) in all.enumerated() {
            let field = line.trimmingWhitespace
            guard let value = Int(field) else {
                throw InputError(source, line: index + 1, "'\(field.prefix(30))' is not an integer label",
                                 hint: "one integer per line; for action names pass --mapping")
            }
            labels.append(value)
        }
        guard !labels.isEmpty else { throw InputError(source, "holds no labels (empty file)") }
        return labels
    }
}

/// `mapping.txt`: "<id> <action name>" per line, ids unique, names unique.
public struct ActionMapping: Sendable, Equatable {
    /// Action names by id, in file order.
    public private(set) var entries: [(id: Int, name: String)]
    private var idByName: [String: Int]

    public static func == (a: ActionMapping, b: ActionMapping) -> Bool {
        a.entries.map(\.id) == b.entries.map(\.id) && a.entries.map(\.name) == b.entries.map(\.name)
    }

    public init(entries: [(id: Int, name: String)]) {
        self.entries = entries
        self.idByName = Dictionary(entries.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
    }

    public static func parse(_ text: String, source: String) throws -> ActionMapping {
        var entries: [(id: Int, name: String)] = []
        var seenIds = Set<Int>(), seenNames = Set<String>()
        for (index, line) in TextFiles.lines(text).enumerated() {
            let trimmed = line.trimmingWhitespace
            if trimmed.isEmpty { continue }
            let parts = trimmed.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2, let id = Int(parts[0]) else {
                throw InputError(source, line: index + 1, "expected '<id> <action name>', got '\(trimmed.prefix(40))'")
            }
            let name = String(parts[1])
            guard seenIds.insert(id).inserted else {
                throw InputError(source, line: index + 1, "duplicate id \(id)")
            }
            guard seenNames.insert(name).inserted else {
                throw InputError(source, line: index + 1, "duplicate action name '\(name)'")
            }
            entries.append((id, name))
        }
        guard !entries.isEmpty else { throw InputError(source, "holds no actions (empty mapping)") }
        return ActionMapping(entries: entries)
    }

    public static func read(_ path: String) throws -> ActionMapping {
        try parse(FileSystem.readText(path), source: path)
    }

    public func id(of name: String) -> Int? { idByName[name] }

    /// Resolves names to ids; a name absent from the mapping is an error at its line.
    public func ids(for names: [String], source: String) throws -> [Int] {
        try names.enumerated().map { index, name in
            guard let id = idByName[name] else {
                throw InputError(source, line: index + 1, "label '\(name)' is not in the mapping")
            }
            return id
        }
    }
}

extension Substring {
    var trimmingWhitespace: Substring {
        var s = self
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
    }
}

extension TextFiles {
    /// A label file as class ids: names resolved through `mapping` when one is given,
    /// otherwise integers.
    public static func readLabels(_ path: String, mapping: ActionMapping?) throws -> [Int] {
        guard let mapping else { return try parseIntegerLabels(FileSystem.readText(path), source: path) }
        return try mapping.ids(for: readLabelNames(path), source: path)
    }
}
