import CLOTCore
import Foundation
import Testing
import TestSupport

/// The paper's result tables (`fixtures/paper_tables.json`), transcribed from the text
/// extraction `shared/paper/clot-paper.txt`. Line numbers in the comments are lines of that file.
///
/// These tests hold the transcription itself: its shape, the cells a reader can check by eye,
/// the identities the paper implies between tables, and, where the extraction is present
/// beside the checkout, every row against its line of the paper text.

private let paperTablesPath = fixturesDirectory + "/paper_tables.json"

/// The paper's text extraction beside the checkout (`../shared/paper/clot-paper.txt`), if present.
private let paperTextPath: String? = {
    var url = URL(fileURLWithPath: fixturesDirectory)
    url.deleteLastPathComponent()
    url.deleteLastPathComponent()
    let candidate = url.appendingPathComponent("shared/paper/clot-paper.txt").path
    return FileSystem.isFile(candidate) ? candidate : nil
}()

/// The tables with one column per dataset × metric (every table but Table 4).
private let metricTableIDs = ["table1", "table2", "table3", "table5"]

private func loadPaper() throws -> PaperTables {
    try PaperTables.load(from: paperTablesPath)
}

@Suite("Paper tables fixture")
struct PaperTablesTests {
    @Test func fixtureLoadsWithEveryTable() throws {
        let paper = try loadPaper()
        #expect(paper.tables.map(\.id) == ["table1", "table2", "table3", "table4", "table5"])
        #expect(paper.datasets == ["Breakfast", "YTI", "FS", "FSeval", "desktop_assembly"])
        #expect(paper.metrics == ["mof", "f1", "miou"])
        #expect(paper.table("table1")?.level == .activity)
        #expect(paper.table("table2")?.level == .video)
        #expect(paper.table("table6") == nil)
    }

    /// Tables 1–3 and 5 have 15 columns, dataset-major in the paper's order (BF, YTI, 50S Mid,
    /// 50S Eval, DA; each MoF, F1, mIoU), and every row has 15 entries, a number or null.
    @Test(arguments: metricTableIDs)
    func metricTablesHaveFifteenColumns(_ id: String) throws {
        let paper = try loadPaper()
        let table = try #require(paper.table(id))
        let expected = paper.datasets.flatMap { dataset in paper.metrics.map { (dataset, $0) } }
        #expect(table.columns.map { "\($0.dataset ?? "?")/\($0.metric ?? "?")" } == expected.map { "\($0.0)/\($0.1)" })
        #expect(!table.rows.isEmpty)
        for row in table.rows {
            #expect(row.values.count == 15, "\(id) \(row.method)")
        }
    }

    @Test func rowCounts() throws {
        let paper = try loadPaper()
        #expect(paper.tables.map(\.rows.count) == [10, 6, 5, 2, 4])
    }

    @Test(arguments: ["table1", "table2"])
    func clotAndASOTRowsExist(_ id: String) throws {
        let table = try #require(try loadPaper().table(id))
        let clot = try #require(table.row("CLOT"))
        let asot = try #require(table.row("ASOT"))
        #expect(clot.group == "ours")
        #expect(asot.group == "baseline")
        // Both are complete: the paper reports all 15 cells for them in both tables (lines 95, 97, 105, 106).
        #expect(clot.values.allSatisfy { $0 != nil })
        #expect(asot.values.allSatisfy { $0 != nil })
    }

    /// MoF, F1 and mIoU are printed as percentages.
    @Test(arguments: metricTableIDs)
    func percentagesLieInRange(_ id: String) throws {
        let table = try #require(try loadPaper().table(id))
        for row in table.rows {
            for case let value? in row.values {
                #expect((0...100).contains(value), "\(id) \(row.method): \(value)")
            }
        }
    }

    /// Table 4 holds seconds (and probably GFLOPs), not percentages: 110.7 and 125.8 exceed 100.
    @Test func table4ValuesArePositive() throws {
        let table = try #require(try loadPaper().table("table4"))
        #expect(table.columns.count == 6)
        for row in table.rows {
            #expect(row.values.count == 6)
            #expect(row.values.allSatisfy { ($0 ?? 0) > 0 })
        }
    }

    // MARK: Spot checks, read off the paper text by eye

    @Test func table1SpotChecks() throws {
        let paper = try loadPaper()
        func v(_ method: String, _ dataset: String, _ metric: String) -> Double? {
            paper.value(table: "table1", method: method, dataset: dataset, metric: metric)
        }
        #expect(v("ASOT", "Breakfast", "mof") == 56.1)          // line 95: ASOT [51] | 56.1 | 38.3 | 18.6 …
        #expect(v("ASOT", "desktop_assembly", "miou") == 45.9)  // line 95: … | 70.4 | 68.0 | 45.9 |
        #expect(v("CLOT", "FS", "f1") == 46.6)                  // line 97: 50S (Mid) 50.6 | 46.6 | 31.4
        #expect(v("CLOT", "FSeval", "f1") == 63.2)              // line 97: 50S (Eval) 59.4 | 63.2 | 38.8
        #expect(v("VTE", "YTI", "mof") == nil)                  // line 89: VTE [47] | 48.1 | - | - | - | 29.9 | …
        #expect(v("VTE", "YTI", "f1") == 29.9)                  // line 89
        #expect(v("HVQ", "FS", "mof") == nil)                   // line 96: HVQ reports BF and YTI only
        #expect(v("UFSA", "FS", "f1") == 30.4)                  // line 94: … | 36.7 | 30.4 | - | …
    }

    @Test func table2SpotChecks() throws {
        let paper = try loadPaper()
        func v(_ method: String, _ dataset: String, _ metric: String) -> Double? {
            paper.value(table: "table2", method: method, dataset: dataset, metric: metric)
        }
        #expect(v("TWF", "desktop_assembly", "miou") == 57.7)   // line 101: TWF* [37] … | 73.3 | 67.7 | 57.7 |
        #expect(v("TWF", "YTI", "miou") == nil)                 // line 101: 56.7 | 48.2 | - |
        #expect(v("TSA (kmeans)", "Breakfast", "miou") == 53.3) // line 104
        #expect(v("ASOT", "YTI", "mof") == 71.2)                // line 105
        #expect(v("CLOT", "YTI", "mof") == 69.3)                // line 106: below ASOT, as line 145 says
        #expect(v("CLOT", "desktop_assembly", "f1") == 75.2)    // line 106
    }

    @Test func table3SpotChecks() throws {
        let paper = try loadPaper()
        func v(_ method: String, _ dataset: String, _ metric: String) -> Double? {
            paper.value(table: "table3", method: method, dataset: dataset, metric: metric)
        }
        #expect(v("w/o SWD", "desktop_assembly", "mof") == 58.5)   // line 111
        #expect(v("w/o FD", "Breakfast", "mof") == 51.9)           // line 112
        #expect(v("w/o Decoder", "FS", "miou") == 26.0)            // line 113
        #expect(v("w/o Refinement", "FSeval", "miou") == 24.5)     // line 114
    }

    /// Table 4's dataset order is BF, YTI, 50S (Eval), 50S (Mid), DA (line 229), unlike the others.
    @Test func table4SpotChecks() throws {
        let paper = try loadPaper()
        #expect(paper.value(table: "table4", method: "ASOT", column: "BF") == 2.2)            // line 231
        #expect(paper.value(table: "table4", method: "CLOT", column: "50S (Eval)") == 117.7)  // line 232
        #expect(paper.value(table: "table4", method: "CLOT", column: "50S (Mid)") == 36.9)    // line 232
        #expect(paper.value(table: "table4", method: "ASOT", column: "(unlabelled)") == 86.8) // line 231, 6th number
        let table = try #require(paper.table("table4"))
        #expect(table.columns[2].dataset == "FSeval")
        #expect(table.columns[3].dataset == "FS")
    }

    @Test func table5SpotChecks() throws {
        let paper = try loadPaper()
        // line 241: Activity | Autoregressive | … DA 35.3 | 25.3 | 13.0
        #expect(paper.value(table: "table5", method: "Autoregressive", dataset: "desktop_assembly", metric: "mof", level: .activity) == 35.3)
        // line 243: Video | Autoregressive | … 50S (Mid) 66.7 | 60.0 | 41.2
        #expect(paper.value(table: "table5", method: "Autoregressive", dataset: "FS", metric: "f1", level: .video) == 60.0)
        // line 244: Parallel (video) … DA 73.5 | 75.2 | 52.4
        #expect(paper.value(table: "table5", method: "Parallel", dataset: "desktop_assembly", metric: "miou", level: .video) == 52.4)
        // Two Parallel rows: without a level the lookup is ambiguous and answers nil.
        #expect(paper.value(table: "table5", method: "Parallel", dataset: "Breakfast", metric: "mof") == nil)
    }

    // MARK: Identities between tables

    /// Table 5's Parallel decoder is CLOT as published: its activity row (line 242) repeats
    /// Table 1's CLOT row (line 97) and its video row (line 244) Table 2's (line 106), cell for cell.
    @Test(arguments: [(EvaluationLevel.activity, "table1"), (.video, "table2")])
    func parallelDecoderIsPublishedCLOT(level: EvaluationLevel, tableID: String) throws {
        let paper = try loadPaper()
        let parallel = try #require(paper.table("table5")?.row("Parallel", level: level))
        let clot = try #require(paper.table(tableID)?.row("CLOT"))
        #expect(parallel.values == clot.values)
    }

    /// Table 3's full model (line 110) is Table 1's CLOT row (line 97), so the ablation is at activity level.
    @Test func ablationFullModelIsActivityCLOT() throws {
        let paper = try loadPaper()
        let full = try #require(paper.table("table3")?.row("CLOT"))
        let clot = try #require(paper.table("table1")?.row("CLOT"))
        #expect(full.values == clot.values)
    }

    /// Line 147: "Our full model, CLOT, achieves the highest performance across all datasets" —
    /// true cell for cell: every ablation is strictly below the full model.
    @Test func everyAblationIsBelowTheFullModel() throws {
        let table = try #require(try loadPaper().table("table3"))
        let full = try #require(table.row("CLOT"))
        for row in table.rows where row.group == "ablation" {
            for (index, (ablated, complete)) in zip(row.values, full.values).enumerated() {
                let ablated = try #require(ablated), complete = try #require(complete)
                #expect(ablated < complete, "\(row.method), \(table.columns[index].header ?? "")")
            }
        }
    }

    /// Line 235 claims the parallel decoder improves "across all datasets and metrics"; the
    /// table shows one exception, 50Salads (Mid) MoF at activity level (52.3 against 50.6, lines 241–242).
    @Test func parallelBeatsAutoregressiveExceptOneCell() throws {
        let table = try #require(try loadPaper().table("table5"))
        var exceptions: [String] = []
        for level in EvaluationLevel.allCases {
            let parallel = try #require(table.row("Parallel", level: level))
            let autoregressive = try #require(table.row("Autoregressive", level: level))
            for (index, column) in table.columns.enumerated() {
                let p = try #require(parallel.values[index]), a = try #require(autoregressive.values[index])
                if p <= a { exceptions.append("\(level.rawValue) \(column.dataset!) \(column.metric!)") }
            }
        }
        #expect(exceptions == ["activity FS mof"])
    }

    // MARK: Every row against the paper text

    /// Each row's recorded line of `clot-paper.txt`, split on "|", holds exactly the row's
    /// values in order ("-" for nil) after its label cells. Skipped where the text is absent.
    @Test(.enabled(if: paperTextPath != nil, "needs ../shared/paper/clot-paper.txt"))
    func everyRowMatchesItsLineOfThePaper() throws {
        let paper = try loadPaper()
        let lines = try FileSystem.readText(paperTextPath!).components(separatedBy: "\n")
        for table in paper.tables {
            for row in table.rows {
                let number = try #require(row.line, "\(table.id) \(row.method) has no line")
                try #require(number >= 1 && number <= lines.count)
                let cells = lines[number - 1].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                let printed = cells.filter { $0 == "-" || Double($0) != nil }
                let expected = row.values.map { $0.map { String(format: "%.1f", $0) } ?? "-" }
                #expect(printed == expected, "\(table.id) \(row.method), line \(number)")
                // The label cells come first and include the row's label or method name.
                let labels = cells.prefix { $0 != "-" && Double($0) == nil }
                #expect(labels.contains(row.label ?? row.method) || labels.contains(row.method),
                        "\(table.id) line \(number): \(labels)")
            }
        }
    }

    // MARK: Loader errors

    @Test func missingFileNamesThePath() {
        let path = temporaryDirectory() + "/absent.json"
        expectInputError(mentioning: [path]) { try PaperTables.load(from: path) }
    }

    @Test func malformedFilesNameThePathAndTheFault() throws {
        let folder = temporaryDirectory()
        defer { removeDirectory(folder) }
        let header = #""source": "s", "datasets": ["Breakfast"], "metrics": ["mof"]"#
        let column = #"{"dataset": "Breakfast", "metric": "mof"}"#
        let cases: [(String, String)] = [
            ("{ not json", "not valid JSON"),
            ("{\(header)}", "missing 'tables'"),
            (#"{\#(header), "tables": [{"id": "t", "title": "", "columns": [\#(column)], "rows": [{"method": "m", "group": "g", "values": [1, 2]}]}]}"#,
             "2 values for 1 columns"),
            (#"{\#(header), "tables": [{"id": "t", "title": "", "columns": [{"dataset": "Mars", "metric": "mof"}], "rows": []}]}"#,
             "unknown dataset 'Mars'"),
            (#"{\#(header), "tables": [{"id": "t", "title": "", "level": "frame", "columns": [], "rows": []}]}"#,
             "bad value at tables[0].level"),
            (#"{\#(header), "tables": [{"id": "t", "title": "", "columns": [], "rows": []}, {"id": "t", "title": "", "columns": [], "rows": []}]}"#,
             "appears twice"),
        ]
        for (index, (text, fault)) in cases.enumerated() {
            let path = folder + "/case\(index).json"
            try writeText(text, to: path)
            expectInputError(mentioning: [path, fault]) { try PaperTables.load(from: path) }
        }
    }
}
