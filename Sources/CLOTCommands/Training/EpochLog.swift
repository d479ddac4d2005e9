import CLOTCore
import Foundation

/// A run's per-epoch records (loss, seconds) as a text file with one line appended per epoch,
/// `OUTPUT/epochs.tsv`: "epoch<TAB>loss<TAB>seconds<TAB>chain". Appending costs the same at
/// epoch 10 and at epoch 100 000, so the checkpoint need not carry the history and stays one
/// fixed size.
///
/// Each line's chain value is XXH64 of the previous line's chain value and this line's record,
/// so the checkpoint after epoch E vouches for the first E lines by holding the E-th chain
/// value; lines past E (an epoch whose checkpoint was never written) are dropped on resume.
struct EpochLog {
    let path: String

    /// The chain value before the first epoch.
    static let start = "0000000000000000"

    /// One record's line and its chain value. The loss is written in Swift's shortest
    /// round-trip form, so a resumed run reports the very same Double.
    static func line(_ record: TrainingRun.EpochRecord, after chain: String) -> (text: String, chain: String) {
        let fields = "\(record.epoch)\t\(record.loss)\t\(record.seconds)"
        let next = ContentHash.hex(ContentHash.of(Array((chain + "\t" + fields).utf8)))
        return (fields + "\t" + next + "\n", next)
    }

    /// Appends one record; returns the new chain value.
    func append(_ record: TrainingRun.EpochRecord, after chain: String) throws -> String {
        let (text, next) = Self.line(record, after: chain)
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw InputError(path, "cannot write file: \(FileSystem.reason(errno))") }
        var failure: Int32 = 0
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count) }
        if written != bytes.count { failure = written < 0 ? errno : ENOSPC }
        if close(descriptor) != 0 && failure == 0 { failure = errno }
        if failure != 0 { throw InputError(path, "cannot write file: \(FileSystem.reason(failure))") }
        return next
    }

    /// The first `epochs` records, checked against the checkpoint's `chain` value; the file is
    /// rewritten to hold exactly those lines.
    func restore(epochs: Int, chain: String) throws -> [TrainingRun.EpochRecord] {
        let (records, text) = try read(epochs: epochs, chain: chain)
        try FileSystem.writeAtomically(text, to: path)
        return records
    }

    /// The first `epochs` records and their lines, checked against the checkpoint's `chain`
    /// value; throws when the file does not hold them.
    func read(epochs: Int, chain: String) throws -> (records: [TrainingRun.EpochRecord], text: String) {
        guard epochs > 0 else { return ([], "") }
        let damaged = InputError(path, "does not match the checkpoint (damaged or from another run)",
                                 hint: "delete it and checkpoint.plist to start over")
        guard let text = try? FileSystem.readText(path) else { throw damaged }
        var records: [TrainingRun.EpochRecord] = []
        var current = Self.start
        var kept = ""
        for line in text.split(separator: "\n").prefix(epochs) {
            let fields = line.split(separator: "\t")
            guard fields.count == 4, let epoch = Int(fields[0]), let loss = Double(fields[1]), let seconds = Double(fields[2]) else {
                throw damaged
            }
            let record = TrainingRun.EpochRecord(epoch: epoch, loss: loss, seconds: seconds)
            let (lineText, next) = Self.line(record, after: current)
            guard next == fields[3], epoch == records.count + 1 else { throw damaged }
            records.append(record)
            kept += lineText
            current = next
        }
        guard records.count == epochs, current == chain else { throw damaged }
        return (records, kept)
    }
}
