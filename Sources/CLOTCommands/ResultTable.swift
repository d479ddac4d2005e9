import CLOTCore

/// Readable result tables for training runs.
enum ResultTable {
    /// One run: both levels.
    static func run(_ r: TrainingRun.Report) -> String {
        let header = "\(r.variant) on \(r.dataset) \(r.activityName), K = \(r.clusters), seed \(r.seed), \(r.epochs) epochs, "
            + "\(r.backend.rawValue) backend, \(String(format: "%.1f", r.wallSeconds)) s (final epoch, no selection)"
        let made = "fingerprint \(r.fingerprint.digest); data \(r.fingerprint.data.files.count) files, xxh64 \(r.fingerprint.data.digest)"
            + (r.resumed.map { "; continued after epoch \($0.afterEpoch)" } ?? "") + "\nmade by: \(r.provenance.summary)"
        return header + "\n" + made + "\n\n" + Table.render(
            header: ["level", "MoF", "F1", "F1 (expected)", "mIoU"],
            rows: [("activity", r.activity), ("video", r.video)].map { name, s in
                [name] + [s.mof, s.f1, s.f1Expected, s.miou].map(Table.percent)
            })
    }
}
