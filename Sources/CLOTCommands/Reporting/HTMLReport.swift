import CLOTCore
import Foundation

/// Self-contained HTML reports (no network, SVG inline), valid XHTML so a parser can check them.
enum HTMLReport {
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml"><head><meta charset="utf-8"/><title>\(SVG.escape(title))</title>
        <style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse;margin:1em 0}\
        td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th:first-child,td:first-child{text-align:left}\
        .legend span{display:inline-block;margin-right:12px}.swatch{display:inline-block;width:12px;height:12px;margin-right:4px}</style>
        </head><body>
        \(body)
        </body></html>
        """
    }

    static func table(header: [String], rows: [[String]]) -> String {
        "<table><tr>" + header.map { "<th>\(SVG.escape($0))</th>" }.joined() + "</tr>"
            + rows.map { "<tr>" + $0.map { "<td>\(SVG.escape($0))</td>" }.joined() + "</tr>" }.joined() + "</table>"
    }

    /// The report of one training run: metrics (paper numbers beside, where the paper has the
    /// method and dataset), the loss curve, and each video's ground truth and prediction.
    static func training(_ r: TrainingRun.Report, sequences: [LabelledSequence], matching: LabelMatching,
                         mapping: ActionMapping?, paper: PaperTables?) -> String {
        var body = "<h1>\(SVG.escape(r.variant)) on \(SVG.escape(r.dataset)) \(SVG.escape(r.activityName))</h1>"
        body += "<p>K = \(r.clusters), seed \(r.seed), \(r.epochs) epochs, \(r.backend.rawValue) backend, "
            + "\(String(format: "%.1f", r.wallSeconds)) s. \(SVG.escape(r.selection)). \(r.videos.count) videos.</p>"
        body += "<p>Made by: \(SVG.escape(r.provenance.summary)).</p>"
        body += "<p>Fingerprint \(r.fingerprint.digest) (settings, epochs, seed, backend, arithmetic, data); data: "
            + "\(r.fingerprint.data.files.count) files, xxh64 \(r.fingerprint.data.digest)"
            + (r.resumed.map { "; continued from the checkpoint after epoch \($0.afterEpoch) (commit \(SVG.escape(String($0.commit.prefix(12)))))" } ?? "")
            + ". F1 sampled with seed \(r.seed).</p>"
        let paperMethod = r.variant == "clot" ? "CLOT" : r.variant == "asot" ? "ASOT" : nil
        var rows: [[String]] = []
        for (level, scores, table) in [("activity", r.activity, "table1"), ("video", r.video, "table2")] {
            var row = [level] + [scores.mof, scores.f1, scores.f1Expected, scores.miou].map(Table.percent)
            for metric in ["mof", "f1", "miou"] {
                let value = paperMethod.flatMap { paper?.value(table: table, method: $0, dataset: r.dataset, metric: metric) }
                row.append(value.map { String(format: "%.1f", $0) } ?? "–")
            }
            rows.append(row)
        }
        body += "<h2>Metrics</h2>" + table(header: ["level", "MoF", "F1", "F1 expected", "mIoU", "paper MoF", "paper F1", "paper mIoU"], rows: rows)
        body += "<p>Paper numbers are the published dataset-level results (all activities and videos of the benchmark); "
            + "a run on one activity or a sample is not directly comparable.</p>"
        body += "<h2>Training loss</h2>" + SVG.lineChart(title: "loss per epoch", values: r.perEpoch.map(\.loss))
        body += "<h2>Segmentations</h2>" + legend(sequences, mapping: mapping)
        let gtIds = Array(Set(sequences.flatMap(\.groundTruth))).sorted()
        let gtColour: (Int) -> String = { id in SVG.palette[(gtIds.firstIndex(of: id) ?? 0) % SVG.palette.count] }
        let unmatchedIds = Array(Set(sequences.flatMap(\.predicted)).subtracting(matching.pairs.map(\.predicted))).sorted()
        let predictedColour: (Int) -> String = { id in
            if let gt = matching.groundTruth(forPredicted: id) { return gtColour(gt) }
            return SVG.unmatched[(unmatchedIds.firstIndex(of: id) ?? 0) % SVG.unmatched.count]
        }
        for s in sequences {
            body += "<h3>\(SVG.escape(s.name))</h3>"
            body += SVG.segmentationBars(title: s.name, groundTruth: s.groundTruth, predicted: s.predicted,
                                         gtColour: gtColour, predictedColour: predictedColour)
        }
        body += "<p>Predicted clusters take the colour of the GT class the activity-level Hungarian matching assigns them; "
            + "unmatched clusters are grey.</p>"
        return page(title: "\(r.variant) \(r.dataset) \(r.activityName)", body: body)
    }

    static func legend(_ sequences: [LabelledSequence], mapping: ActionMapping?) -> String {
        let ids = Array(Set(sequences.flatMap(\.groundTruth))).sorted()
        return "<p class=\"legend\">" + ids.enumerated().map { index, id in
            let name = mapping?.entries.first { $0.id == id }?.name ?? String(id)
            return "<span><span class=\"swatch\" style=\"background:\(SVG.palette[index % SVG.palette.count])\"></span>\(SVG.escape(name))</span>"
        }.joined() + "</p>"
    }

    /// The reproduction report: the tables of results.md as HTML.
    /// - Parameter runReports: relative paths of the per-run reports, linked at the end.
    static func reproduction(_ t: ReproductionTable, runReports: [String]) -> String {
        var body = "<h1>Reproduction results</h1><p>\(SVG.escape(t.averaging)). Δ = measured − paper.</p>"
        body += "<p>Made by: " + t.arithmetic.map(SVG.escape).joined(separator: "; ") + ".</p>"
        if !t.producedBy.isEmpty {
            body += "<ul>" + t.producedBy.map { "<li>" + SVG.escape(String($0.dropFirst(2))) + "</li>" }.joined() + "</ul>"
        }
        for (title, tableRows) in t.sections {
            body += "<h2>\(SVG.escape(title))</h2>"
            let rows = tableRows.map { row -> [String] in
                var cells = [row.dataset, row.variant, "\(row.activities.count)\(row.subset ? " (subset)" : "")", String(row.videos)]
                for metric in ["mof", "f1", "miou"] {
                    let c = row.cells[metric]!
                    cells += [String(format: "%.1f ± %.1f", c.mean, c.std), c.paper.map { String(format: "%.1f", $0) } ?? "–",
                              c.difference.map { String(format: "%+.1f", $0) } ?? "–"]
                }
                return cells
            }
            body += table(header: ["dataset", "method", "activities", "videos", "MoF", "paper", "Δ", "F1", "paper", "Δ", "mIoU", "paper", "Δ"], rows: rows)
            if tableRows.contains(where: \.subset) { body += "<p>\(SVG.escape(ReproductionTable.subsetNote))</p>" }
        }
        body += "<h2>Runs</h2><p>Each run's own report (loss curve, segmentations):</p><ul>"
            + runReports.map { "<li><a href=\"\(SVG.escape($0))\">\(SVG.escape($0))</a></li>" }.joined() + "</ul>"
        return page(title: "CLOT reproduction", body: body)
    }
}
