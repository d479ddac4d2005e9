import Foundation

/// The result tables printed in the CLOT paper and its supplement (Bueno-Benito & Dimiccoli,
/// *CLOT: Closed Loop Optimal Transport for Unsupervised Action Segmentation*, ICCV 2025), as
/// transcribed into `fixtures/paper_tables.json`.
///
/// The fixture holds Tables 1 and 2 (state of the art at activity and video level), Table 3
/// (ablations), and the supplement's Table 4 (time and GFLOPs against ASOT) and Table 5
/// (parallel against autoregressive decoder). Every cell is kept as the paper prints it:
/// percentages such as `56.1`, never rescaled to fractions, and a cell printed as "-" is `nil`.
/// Where the text extraction the fixture was made from lost something (a caption, a header),
/// the table or row carries a `note` saying what is uncertain.
///
/// Values are looked up by table id, method and column:
///
/// ```swift
/// let paper = try PaperTables.load(from: "fixtures/paper_tables.json")
/// paper.value(table: "table1", method: "ASOT", dataset: "Breakfast", metric: "mof")  // 56.1
/// ```
public struct PaperTables: Decodable, Sendable {
    /// Where the numbers come from.
    public var source: String
    /// The dataset names the columns use, in the papers' order
    /// (`Breakfast`, `YTI`, `FS` = 50 Salads Mid, `FSeval` = 50 Salads Eval, `desktop_assembly`).
    public var datasets: [String]
    /// The metric names the columns use (`mof`, `f1`, `miou`).
    public var metrics: [String]
    /// The tables, in the order the paper prints them.
    public var tables: [Table]

    /// One printed table.
    public struct Table: Decodable, Sendable {
        /// `table1` … `table5`.
        public var id: String
        public var title: String
        /// The evaluation level of every row, or nil when the rows differ (Table 5) or the
        /// table has none (Table 4); a row's own `level` then says.
        public var level: EvaluationLevel?
        /// First and last line of the table in the paper's text extraction, if recorded.
        public var lines: [Int]?
        /// What the transcription is unsure of, if anything.
        public var note: String?
        public var columns: [Column]
        public var rows: [Row]

        /// The position of the column for a dataset and metric, or nil if the table has none.
        public func columnIndex(dataset: String, metric: String) -> Int? {
            columns.firstIndex { $0.dataset == dataset && $0.metric == metric }
        }

        /// The position of the column with a free-form name (Table 4), or nil.
        public func columnIndex(named name: String) -> Int? {
            columns.firstIndex { $0.name == name }
        }

        /// Every row for a method, in printed order.
        public func rows(method: String) -> [Row] {
            rows.filter { $0.method == method }
        }

        /// The one row for a method, at a level when one is given.
        ///
        /// A row's level is its own `level`, or else the table's.
        ///
        /// Edge Cases:
        /// - Returns nil when no row matches, and also when more than one does (Table 5 has a
        ///   `Parallel` row at each level: ask with `level:`), so that an ambiguous lookup can
        ///   never silently pick the wrong setting.
        public func row(_ method: String, level: EvaluationLevel? = nil) -> Row? {
            let matches = rows.filter { row in
                row.method == method && (level == nil || (row.level ?? self.level) == level)
            }
            return matches.count == 1 ? matches[0] : nil
        }
    }

    /// One column: a dataset and a metric in Tables 1–3 and 5, a free-form name in Table 4.
    public struct Column: Decodable, Sendable, Equatable {
        /// One of `PaperTables.datasets`, when the column belongs to a dataset.
        public var dataset: String?
        /// One of `PaperTables.metrics`, when the column is a segmentation metric.
        public var metric: String?
        /// A free-form name, for columns that are not a dataset × metric pair.
        public var name: String?
        /// The header as the paper prints it, when it has one.
        public var header: String?
    }

    /// One printed row.
    public struct Row: Decodable, Sendable {
        /// The method, without citation, asterisk or "(Ours)": `ASOT`, `CLOT`, `w/o SWD`, `Parallel`.
        public var method: String
        /// The row label exactly as printed (`ASOT [51]`, `CLOT (Ours)`), if different.
        public var label: String?
        /// The paper's grouping of the row (`baseline`, `ours`, `ablation`, …).
        public var group: String
        /// The row's evaluation level, where the table mixes levels (Table 5).
        public var level: EvaluationLevel?
        /// One value per column, as printed; nil where the paper prints "-".
        public var values: [Double?]
        /// The row's line in the paper's text extraction, if recorded.
        public var line: Int?
        /// What the transcription is unsure of in this row, if anything.
        public var note: String?
    }

    /// The table with this id (`table1` … `table5`), or nil.
    public func table(_ id: String) -> Table? {
        tables.first { $0.id == id }
    }

    /// A printed value, or nil where the paper prints none, or the table, method or column is
    /// not found, or the method has a row at each level (Table 5: use the `level:` variant).
    public func value(table: String, method: String, dataset: String, metric: String) -> Double? {
        value(table: table, method: method, dataset: dataset, metric: metric, level: nil)
    }

    /// A printed value at one evaluation level, or nil where the paper prints none, or the
    /// table, method, column or level is not found.
    ///
    /// - Parameters:
    ///   - table: `table1` … `table5`.
    ///   - method: as in `Row.method` (`ASOT`, `CLOT`, `w/o FD`, `Autoregressive`).
    ///   - dataset: one of `datasets`.
    ///   - metric: one of `metrics`.
    ///   - level: the row's level; needed only where a table holds the same method at both
    ///     levels (Table 5). Nil matches any level.
    /// - Returns: the value in the paper's units (percent for the metrics).
    ///
    /// Edge Cases: nil also when the lookup is ambiguous (see `Table.row(_:level:)`).
    public func value(table: String, method: String, dataset: String, metric: String,
                      level: EvaluationLevel?) -> Double? {
        guard let table = self.table(table),
              let column = table.columnIndex(dataset: dataset, metric: metric),
              let row = table.row(method, level: level),
              column < row.values.count else { return nil }   // ragged only if decoded without `load`
        return row.values[column]
    }

    /// A printed value of a column with a free-form name (Table 4), or nil as for `value(table:method:dataset:metric:level:)`.
    public func value(table: String, method: String, column name: String) -> Double? {
        guard let table = self.table(table),
              let column = table.columnIndex(named: name),
              let row = table.row(method),
              column < row.values.count else { return nil }
        return row.values[column]
    }

    /// Reads and checks a paper-tables JSON file.
    ///
    /// Besides the JSON shape, it checks that table ids are unique, that every column names a
    /// known dataset and metric or has a free-form name, and that every row has one value per
    /// column, so that a lookup can index a row without further checks.
    ///
    /// - Throws: `InputError` naming `path` when the file is missing or unreadable, is not
    ///   valid JSON of this shape, or fails one of the checks above.
    public static func load(from path: String) throws -> PaperTables {
        let text = try FileSystem.readText(path)
        let tables: PaperTables
        do {
            tables = try JSONDecoder().decode(PaperTables.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            throw InputError(path, "is not a paper-tables file: " + describe(error))
        } catch {
            throw InputError(path, "is not a paper-tables file: \(error)")
        }
        try tables.validate(path: path)
        return tables
    }

    private func validate(path: String) throws {
        var seen: Set<String> = []
        for table in tables {
            guard seen.insert(table.id).inserted else {
                throw InputError(path, "table id '\(table.id)' appears twice")
            }
            for (index, column) in table.columns.enumerated() {
                let place = "table '\(table.id)', column \(index + 1)"
                if let dataset = column.dataset, !datasets.contains(dataset) {
                    throw InputError(path, "\(place): unknown dataset '\(dataset)'", hint: "known: \(datasets.joined(separator: ", "))")
                }
                if let metric = column.metric, !metrics.contains(metric) {
                    throw InputError(path, "\(place): unknown metric '\(metric)'", hint: "known: \(metrics.joined(separator: ", "))")
                }
                if column.name == nil && (column.dataset == nil || column.metric == nil) {
                    throw InputError(path, "\(place): needs a dataset and a metric, or a name")
                }
            }
            for row in table.rows where row.values.count != table.columns.count {
                throw InputError(path, "table '\(table.id)', row '\(row.method)': \(row.values.count) values for \(table.columns.count) columns",
                                 hint: "write null for a cell the paper leaves blank")
            }
        }
    }

    /// A one-line account of a decoding failure: what went wrong and at which key path.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text.isEmpty ? "top level" : text
        }
        switch error {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "bad value at \(path(context.codingPath))"
        case .keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' at \(path(context.codingPath))"
        case .typeMismatch(let type, let context):
            return "expected \(type) at \(path(context.codingPath))"
        case .valueNotFound(let type, let context):
            return "expected \(type), found null, at \(path(context.codingPath))"
        @unknown default:
            return "\(error)"
        }
    }
}
