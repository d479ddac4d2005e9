import Foundation

/// What a run read: every input file's name (relative to the data root), size and content
/// hash, and one digest over them all. Two runs with equal digests read byte-identical files
/// under the same names; moving the data root elsewhere changes nothing.
public struct DataFingerprint: Codable, Equatable, Sendable {
    public struct File: Codable, Equatable, Sendable {
        /// Path relative to the data root ("Breakfast/features/coffee/P03_cam01_P03_coffee.npy").
        public var path: String
        public var bytes: Int
        /// XXH64 of the content, 16 hex digits.
        public var xxh64: String
    }

    /// Sorted by path.
    public var files: [File]
    /// XXH64 of the lines "path<TAB>bytes<TAB>hash" of every file, 16 hex digits.
    public var digest: String

    public init(files: [File]) {
        self.files = files.sorted { $0.path < $1.path }
        let listing = self.files.map { "\($0.path)\t\($0.bytes)\t\($0.xxh64)\n" }.joined()
        digest = ContentHash.hex(ContentHash.of(Array(listing.utf8)))
    }

    /// Hashes the files at `root + "/" + relative` for each relative path.
    public static func of(_ relativePaths: [String], root: String) throws -> DataFingerprint {
        DataFingerprint(files: try relativePaths.map { relative in
            let (bytes, hash) = try hashFile(root + "/" + relative)
            return File(path: relative, bytes: bytes, xxh64: ContentHash.hex(hash))
        })
    }

    /// Size and XXH64 of a file, read in 1 MiB pieces (memory stays flat for any size).
    public static func hashFile(_ path: String) throws -> (bytes: Int, hash: UInt64) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw InputError(path, "cannot read file: \(FileSystem.reason(errno))") }
        defer { close(descriptor) }
        var hash = ContentHash()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw InputError(path, "cannot read file: \(FileSystem.reason(errno))") }
            if count == 0 { break }
            buffer.withUnsafeBytes { hash.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            total += count
        }
        return (total, hash.value)
    }

    /// What differs from `old`, one phrase per file, for messages ("Breakfast/features/…npy: content changed").
    public func differences(from old: DataFingerprint) -> [String] {
        let before = Dictionary(old.files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [String] = []
        for file in files {
            guard let previous = before[file.path] else { out.append("\(file.path): new input file"); continue }
            if previous.bytes != file.bytes {
                out.append("\(file.path): size \(previous.bytes) → \(file.bytes) bytes")
            } else if previous.xxh64 != file.xxh64 {
                out.append("\(file.path): content changed (same size)")
            }
        }
        for file in old.files where after[file.path] == nil { out.append("\(file.path): no longer an input") }
        return out
    }
}

extension DatasetLayout {
    /// The fingerprint of what loading `videos` reads: the mapping file, and each video's
    /// ground-truth and features files (the same files `loadVideo` picks).
    public func fingerprint(videos: [String]) throws -> DataFingerprint {
        var paths = [relativePath(mappingPath)]
        for video in videos {
            paths.append(relativePath(groundTruthDirectory + "/" + video))
            paths.append(relativePath(try featuresPath(video: video)))
        }
        return try DataFingerprint.of(paths, root: root)
    }

    /// The mapping file's fingerprint entry.
    public func mappingFingerprint() throws -> DataFingerprint.File {
        let (bytes, hash) = try DataFingerprint.hashFile(mappingPath)
        return DataFingerprint.File(path: relativePath(mappingPath), bytes: bytes, xxh64: ContentHash.hex(hash))
    }
}
