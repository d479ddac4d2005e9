import CLOTCore
import Foundation

/// Aggregates finished runs into the papers' tables (activity level = Table 1, video level =
/// Table 2, ablations = Table 3) with the published numbers beside the measured ones.
struct ReproductionTable: Encodable {
    struct RunResult {
        var report: TrainingRun.Report
        var benchmarkActivities: Int?
    }

    /// One run behind the tables: where it is, what it is, and whether it ran now.
    struct RunEntry: Encodable {
        var folder: String
        var variant: String
        var seed: UInt32, epochs: Int
        var backend: String
        var fingerprint: String
        /// "ran" or "resumed after epoch E" (this commit made it, now or before), or "reused from
        /// commit X" (another commit made it, with the same fingerprint).
        var status: String
        var commit: String
    }

    /// The input data of one activity, as fingerprinted.
    struct DataEntry: Encodable {
        var dataset: String
        var activity: String
        /// The activity's videos, and the files read for them (mapping, ground truth, features).
        var videos: Int, files: Int
        var fingerprint: String
    }

    /// How many activities each benchmark has (a smaller number found marks a subset).
    static let benchmarkActivities: [DatasetName: Int] = [.breakfast: 10, .yti: 5, .fs: 1, .fsEval: 1, .desktopAssembly: 1]
    /// Videos in the full benchmark, where known (Breakfast 1712, YTI 150, 50 Salads 50):
    /// fewer found marks a subset even when every activity is present.
    static let benchmarkVideos: [String: Int] = ["Breakfast": 1712, "YTI": 150, "FS": 50, "FSeval": 50]

    struct Cell: Encodable {
        var mean: Double
        var std: Double
        var seeds: Int
        var paper: Double?
        var difference: Double? { paper.map { mean - $0 } }
        enum CodingKeys: String, CodingKey { case mean, std, seeds, paper, difference }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeWithNulls([.mean: mean, .std: std, .seeds: seeds, .paper: paper, .difference: difference])
        }
    }

    struct Row: Encodable {
        var dataset: String, variant: String
        var activities: [String]
        var videos: Int
        var subset: Bool
        /// metric → cell, in percent.
        var cells: [String: Cell]
        /// The reconstruction choices in force (CLOT rows; the ASOT baseline has none).
        var choices: ReconstructionChoices?
    }

    var levels: [String: [Row]]
    var averaging = "per seed: unweighted mean over activities; then mean and sample std (ddof 1) over seeds; percent"
    /// The arithmetic and code of the runs in the tables, one entry per distinct combination
    /// (more than one when reused runs came from another build or machine family).
    var arithmetic: [String]
    /// Where each run's numbers come from, in full.
    var provenance: [Provenance]
    /// Every run behind the tables.
    var runs: [RunEntry] = []
    /// The data each activity's runs read.
    var data: [DataEntry] = []
    /// The commit of the tool that wrote these tables.
    var commit = BuildInfo.commit

    /// The tables of a reproduction's units, with what produced them.
    init(outcomes: [ReproductionUnit.Outcome], paper: PaperTables) throws {
        try self.init(results: outcomes.map { RunResult(report: $0.report, benchmarkActivities: $0.unit.benchmarkActivities) }, paper: paper)
        runs = outcomes.map { outcome in
            let r = outcome.report
            return RunEntry(folder: outcome.unit.folder, variant: r.variant, seed: r.seed, epochs: r.epochs, backend: r.backend.rawValue,
                            fingerprint: r.fingerprint.digest, status: Self.status(r), commit: r.provenance.tool.commit)
        }
        var seen = Set<String>()
        for outcome in outcomes where seen.insert(outcome.data.digest + outcome.unit.configuration.dataset.rawValue).inserted {
            data.append(DataEntry(dataset: outcome.unit.configuration.dataset.rawValue, activity: outcome.unit.source.activity,
                                  videos: outcome.unit.source.videoNames.count, files: outcome.data.files.count,
                                  fingerprint: outcome.data.digest))
        }
    }

    /// How a run came about, from its own report: the tables describe the runs, not the
    /// command that gathered them, so they are the same whether the runs were made now, by an
    /// earlier command, side by side (`--jobs`) or by the shards of a job array.
    static func status(_ report: TrainingRun.Report) -> String {
        let commit = report.provenance.tool.commit
        if commit != BuildInfo.commit { return "reused from commit \(commit)" }
        return report.resumed.map { "resumed after epoch \($0.afterEpoch)" } ?? "ran"
    }

    init(results: [RunResult], paper: PaperTables) throws {
        var levels: [String: [Row]] = [:]
        let groups = Dictionary(grouping: results) { "\($0.report.dataset)|\($0.report.variant)" }
        for level in EvaluationLevel.allCases {
            var rows: [Row] = []
            for key in groups.keys.sorted() {
                let runs = groups[key]!
                let first = runs[0].report
                let activities = Array(Set(runs.map(\.report.activityName))).sorted()
                let bySeed = Dictionary(grouping: runs) { $0.report.seed }
                var cells: [String: Cell] = [:]
                for metric in ["mof", "f1", "miou"] {
                    let perSeed: [Double] = bySeed.keys.sorted().map { seed in
                        let values = bySeed[seed]!.map { Self.metric(level == .activity ? $0.report.activity : $0.report.video, metric) }
                        return 100 * values.reduce(0, +) / Double(values.count)
                    }
                    let (mean, std) = Self.meanStd(perSeed)
                    cells[metric] = Cell(mean: mean, std: std, seeds: perSeed.count,
                                         paper: Self.paperValue(paper, variant: first.variant, dataset: first.dataset, metric: metric, level: level))
                }
                let expected = runs[0].benchmarkActivities ?? activities.count
                let videos = Set(runs.flatMap(\.report.videos)).count
                let subset = activities.count < expected || videos < (Self.benchmarkVideos[first.dataset] ?? 0)
                rows.append(Row(dataset: first.dataset, variant: first.variant, activities: activities,
                                videos: videos, subset: subset, cells: cells,
                                choices: first.config.method == .clot ? first.config.model.choices : nil))
            }
            levels[level.rawValue] = rows
        }
        self.levels = levels
        var distinct: [Provenance] = []
        for run in results where !distinct.contains(where: { Self.sameBits($0, run.report.provenance) }) {
            distinct.append(run.report.provenance)
        }
        provenance = distinct
        arithmetic = distinct.map { "arithmetic \($0.arithmetic.family), \($0.arithmetic.backend), \($0.arithmetic.matrixProduct); commit \($0.tool.commit)" }
    }

    /// Whether two runs' numbers come from the same arithmetic and code (so would repeat bit for bit).
    static func sameBits(_ a: Provenance, _ b: Provenance) -> Bool {
        a.arithmetic == b.arithmetic && a.tool == b.tool
    }

    static func metric(_ s: SegmentationScores, _ name: String) -> Double {
        name == "mof" ? s.mof : name == "f1" ? s.f1 : s.miou
    }

    static func meanStd(_ xs: [Double]) -> (Double, Double) {
        let mean = xs.reduce(0, +) / Double(xs.count)
        guard xs.count > 1 else { return (mean, 0) }
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)
        return (mean, variance.squareRoot())
    }

    /// The published number: Table 1/2 for clot and asot, Table 3 for the ablations (activity level).
    static func paperValue(_ paper: PaperTables, variant: String, dataset: String, metric: String, level: EvaluationLevel) -> Double? {
        let ablationNames = ["clot-no-swd": "w/o SWD", "clot-no-fd": "w/o FD", "clot-no-decoder": "w/o Decoder", "clot-no-refinement": "w/o Refinement"]
        if let name = ablationNames[variant] {
            return level == .activity ? paper.value(table: "table3", method: name, dataset: dataset, metric: metric) : nil
        }
        let method = variant == "clot" ? "CLOT" : variant == "asot" ? "ASOT" : nil
        guard let method else { return nil }
        return paper.value(table: level == .activity ? "table1" : "table2", method: method, dataset: dataset, metric: metric)
    }

    /// Table 1 (activity level), Table 2 (video level) and, when ablations ran, Table 3
    /// (activity level: the full model beside each ablation).
    var sections: [(title: String, rows: [Row])] {
        let isAblation = { (row: Row) in row.variant.hasPrefix("clot-no-") }
        var out: [(String, [Row])] = [("Table 1 — activity level", (levels["activity"] ?? []).filter { !isAblation($0) }),
                                      ("Table 2 — video level", (levels["video"] ?? []).filter { !isAblation($0) })]
        let ablations = (levels["activity"] ?? []).filter { isAblation($0) || $0.variant == "clot" }
        if ablations.contains(where: isAblation) { out.append(("Table 3 — ablations (activity level)", ablations)) }
        return out
    }

    var markdown: String {
        var lines = ["# Reproduction results", "",
                     "Measured: mean ± std over seeds of the unweighted mean over activities (percent, final epoch, no selection).",
                     "Paper: CLOT ICCV 2025 Tables 1–3 (fixtures/paper_tables.json). Δ = measured − paper.", ""]
            + arithmetic.map { "Made by: \($0)." } + [""] + producedBy + [""]
        for (title, rows) in sections {
            lines += ["## \(title)", "", "| dataset | method | activities | videos | MoF | paper | Δ | F1 | paper | Δ | mIoU | paper | Δ |",
                      "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
            for row in rows {
                var cells = [row.dataset, row.variant, "\(row.activities.count)\(row.subset ? " (subset)" : "")", String(row.videos)]
                for metric in ["mof", "f1", "miou"] {
                    let c = row.cells[metric]!
                    cells += [String(format: "%.1f ± %.1f", c.mean, c.std), c.paper.map { String(format: "%.1f", $0) } ?? "–",
                              c.difference.map { String(format: "%+.1f", $0) } ?? "–"]
                }
                lines.append("| " + cells.joined(separator: " | ") + " |")
            }
            lines.append("")
        }
        if levels.values.contains(where: { $0.contains(where: \.subset) }) { lines.append(Self.subsetNote) }
        return lines.joined(separator: "\n")
    }

    static let subsetNote = "Rows marked (subset) ran on fewer activities or videos than the benchmark has: their paper numbers "
        + "are for the full benchmark and are not directly comparable."

    /// What produced the numbers: runs, epochs, seeds, backends, data and reuse, one line each.
    var producedBy: [String] {
        guard !runs.isEmpty else { return [] }
        func list<T: Hashable & Comparable>(_ values: [T]) -> String { Array(Set(values)).sorted().map { "\($0)" }.joined(separator: ", ") }
        let counts = Dictionary(grouping: runs, by: \.status).mapValues(\.count)
        var lines = ["- Runs: \(runs.count) (" + counts.keys.sorted().map { "\(counts[$0]!) \($0)" }.joined(separator: ", ") + ")"
                     + "; epochs \(list(runs.map(\.epochs))); seeds \(list(runs.map(\.seed))); backend \(list(runs.map(\.backend))); "
                     + "tables written by commit \(commit.prefix(12))."]
        lines += data.map { "- Data: \($0.dataset) \($0.activity), \($0.videos) videos (\($0.files) files), fingerprint xxh64 \($0.fingerprint)." }
        for run in runs where run.status.hasPrefix("reused from commit") {
            lines.append("- Reused from commit \(run.commit.prefix(12)) (same fingerprint, made by other code): \(run.folder).")
        }
        return lines
    }

    /// Writes results.json, results.md and report.html together: all three or, on a failure
    /// (a full disk), none.
    func write(to folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let html = HTMLReport.reproduction(self, runReports: runs.map { $0.folder + "/report.html" })
        try FileSystem.writeTogether([(folder + "/results.json", Array(try encoder.encode(self))),
                                      (folder + "/results.md", Array((markdown + "\n").utf8)),
                                      (folder + "/report.html", Array(html.utf8))])
    }
}
