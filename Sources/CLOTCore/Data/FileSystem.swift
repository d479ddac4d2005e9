import Foundation

/// File-system helpers with the project's error contract: every failure is an `InputError`
/// naming the path, and every output is written to a temporary name and renamed into place, so
/// a kill at any moment leaves either the previous file or the new one, never half of one.
public enum FileSystem {
    public static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    public static func isFile(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
    }

    /// The UTF-8 text of a file (a leading byte-order mark dropped).
    public static func readText(_ path: String) throws -> String {
        try decodeUTF8(readBytes(path), source: path)
    }

    /// Bytes as UTF-8 text, a leading byte-order mark dropped; an error naming `source` when
    /// they are not UTF-8.
    public static func decodeUTF8(_ bytes: [UInt8], source: String) throws -> String {
        guard let text = String(data: Data(bytes), encoding: .utf8) else {
            throw InputError(source, "is not UTF-8 text")
        }
        return text
    }

    /// The bytes of a file, read into one buffer of the file's size (then on to the end, for a
    /// file that grew or reports no size).
    public static func readBytes(_ path: String) throws -> [UInt8] {
        if isDirectory(path) { throw InputError(path, "is a folder, not a file") }
        let unreadable = InputError(path, "cannot read file (missing or unreadable)")
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw unreadable }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw unreadable }

        /// Reads into `buffer` until it is full or the file ends; the count read, or nil on error.
        func readFully(_ buffer: UnsafeMutableRawBufferPointer) -> Int? {
            var count = 0
            while count < buffer.count {
                let n = read(descriptor, buffer.baseAddress! + count, buffer.count - count)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { return nil }
                if n == 0 { break }
                count += n
            }
            return count
        }
        var bytes = try [UInt8](unsafeUninitializedCapacity: max(Int(status.st_size), 0)) { buffer, initialized in
            guard let count = readFully(UnsafeMutableRawBufferPointer(buffer)) else { throw unreadable }
            initialized = count
        }
        try withUnsafeTemporaryAllocation(byteCount: 1 << 16, alignment: 1) { chunk in
            while true {
                guard let count = readFully(chunk) else { throw unreadable }
                bytes.append(contentsOf: chunk[0..<count])
                if count < chunk.count { break }
            }
        }
        return bytes
    }

    /// Sorted names of the entries of a folder.
    public static func contents(of directory: String) throws -> [String] {
        guard isDirectory(directory) else {
            throw InputError(directory, FileManager.default.fileExists(atPath: directory) ? "is a file, not a folder" : "folder does not exist")
        }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw InputError(directory, "cannot list folder")
        }
    }

    /// Creates `path` (and parents) as a folder, or checks an existing one is a writable folder.
    public static func prepareOutputDirectory(_ path: String) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            guard isDirectory(path) else {
                throw InputError(path, "output folder is a file", hint: "choose another --output")
            }
        } else {
            do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw InputError(path, "cannot create output folder", hint: "check the parent folder exists and is writable")
            }
        }
        guard fm.isWritableFile(atPath: path) else {
            throw InputError(path, "output folder is not writable")
        }
    }

    /// Writes bytes to a temporary file beside `path`, then renames it over `path`.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        let ok = FileManager.default.createFile(atPath: temporary, contents: Data(bytes))
        guard ok else {
            throw InputError(path, "cannot write file", hint: "check the folder exists and is writable")
        }
        if rename(temporary, path) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            throw InputError(path, "cannot move the finished file into place")
        }
    }

    /// Writes UTF-8 text atomically.
    public static func writeAtomically(_ text: String, to path: String) throws {
        try writeAtomically(Array(text.utf8), to: path)
    }
}
