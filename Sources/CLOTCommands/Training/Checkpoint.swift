import CLOTCore
import Foundation

/// What is saved after every epoch (atomically, `OUTPUT/checkpoint.plist`) so that a stopped
/// run can continue exactly: the run's fingerprint, the epoch, the generator, the model and
/// optimiser states, and the chain value that vouches for the epoch log's first `epoch` lines.
/// Its size does not grow with the epoch count.
///
/// On disk: the line "CLOT checkpoint 2", the line "xxh64 <16 hex digits>" — the content hash
/// of everything after it — and a binary property list. A damaged file (a flipped byte
/// anywhere) fails the hash or the decoding and is refused, never resumed from.
struct Checkpoint: Codable {
    var fingerprint: RunFingerprint
    /// The epochs completed, and the `EpochLog` chain value after that many lines.
    var epoch: Int, epochChain: String
    var generator: MersenneTwister
    var model: Data
    /// The commit of the tool that wrote it.
    var commit: String

    static let magic = "CLOT checkpoint 2\n"

    func encoded() throws -> [UInt8] {
        let payload = Array(try PropertyListEncoder.binary.encode(self))
        return Array((Self.magic + "xxh64 " + ContentHash.hex(ContentHash.of(payload)) + "\n").utf8) + payload
    }

    /// Reads and checks a checkpoint file; nil when there is none.
    static func read(_ path: String) throws -> Checkpoint? {
        guard FileSystem.isFile(path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(path, "cannot read the checkpoint", hint: "check its permissions")
        }
        let bytes = [UInt8](data)
        let header = Array(magic.utf8)
        let hashLine = header.count + 6 + 16 + 1
        guard bytes.count > hashLine, Array(bytes[0..<header.count]) == header,
              String(decoding: bytes[header.count..<(header.count + 6)], as: UTF8.self) == "xxh64 ",
              bytes[hashLine - 1] == UInt8(ascii: "\n") else {
            throw InputError(path, "is not a checkpoint this version of clot can read (damaged, or written by an older version)",
                             hint: "delete it to start over")
        }
        let recorded = String(decoding: bytes[(header.count + 6)..<(hashLine - 1)], as: UTF8.self)
        let payload = Array(bytes[hashLine...])
        guard ContentHash.hex(ContentHash.of(payload)) == recorded else {
            throw InputError(path, "is damaged: its content does not match its checksum", hint: "delete it to start over")
        }
        do {
            return try PropertyListDecoder().decode(Checkpoint.self, from: Data(payload))
        } catch {
            throw InputError(path, "is not a checkpoint this version of clot can read", hint: "delete it to start over")
        }
    }
}

extension PropertyListEncoder {
    /// Binary property lists: compact and exact for Float and Double.
    static var binary: PropertyListEncoder {
        let encoder = PropertyListEncoder()
        encoder.outputFormat = .binary
        return encoder
    }
}
