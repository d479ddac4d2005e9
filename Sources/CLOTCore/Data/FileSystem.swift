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
        if FileManager.default.fileExists(atPath: path) {
            guard isDirectory(path) else {
                throw InputError(path, "output folder is a file", hint: "choose another --output")
            }
        } else {
            try makeDirectories(path)
        }
        guard access(path, W_OK) == 0 else {
            throw InputError(path, "output folder is not writable: \(reason(errno))")
        }
    }

    /// mkdir -p, naming the folder and the reason when one cannot be made.
    public static func makeDirectories(_ path: String) throws {
        if isDirectory(path) { return }
        // The parent by hand: Foundation's deletingLastPathComponent traps on a one-character
        // relative path ("d") on Linux.
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let parent = trimmed.lastIndex(of: "/").map { $0 == trimmed.startIndex ? "/" : String(trimmed[..<$0]) } ?? ""
        if !parent.isEmpty && parent != path && !FileManager.default.fileExists(atPath: parent) {
            try makeDirectories(parent)
        }
        if mkdir(path, 0o777) != 0 && errno != EEXIST {
            throw InputError(path, "cannot create output folder: \(reason(errno))")
        }
    }

    /// Writes bytes to a temporary file beside `path`, then renames it over `path`. Plain
    /// open/write/rename: no fsync (Foundation's atomic `createFile` syncs every file to disk,
    /// which cost milliseconds per output on a busy disk and made a folder of 200 small
    /// outputs take seconds); the rename still leaves either the old file or the whole new one.
    /// A failure — a full disk included — names the path and the reason, and leaves no
    /// temporary file behind.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        try writeTogether([(path, bytes)])
    }

    /// Writes several files as one output: each goes to its temporary name first, and only once
    /// all are complete are they renamed into place. A failure while writing (a full disk, a
    /// missing folder) replaces none of them and removes every temporary file.
    public static func writeTogether(_ files: [(path: String, bytes: [UInt8])]) throws {
        var temporaries: [String] = []
        do {
            for file in files { temporaries.append(try writeTemporary(file.bytes, for: file.path)) }
        } catch {
            for temporary in temporaries { unlink(temporary) }
            throw error
        }
        for (index, file) in files.enumerated() where rename(temporaries[index], file.path) != 0 {
            let code = errno
            for temporary in temporaries[index...] { unlink(temporary) }
            throw InputError(file.path, "cannot move the finished file into place: \(reason(code))")
        }
    }

    /// The name a file is written under before it is renamed into place.
    public static func temporaryName(for path: String) -> String { path + temporarySuffix + "\(getpid())" }
    /// What every temporary name holds (`metrics.json.partial-4711`).
    public static let temporarySuffix = ".partial-"

    /// Writes `bytes` to the temporary name of `path`; returns that name.
    private static func writeTemporary(_ bytes: [UInt8], for path: String) throws -> String {
        let temporary = temporaryName(for: path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            let code = errno
            throw InputError(path, "cannot write file: \(reason(code))",
                             hint: code == ENOENT ? "check the folder exists" : code == EACCES ? "check the folder is writable" : nil)
        }
        var code = bytes.withUnsafeBytes { writeAll($0, to: descriptor) }
        if close(descriptor) != 0 && code == 0 { code = errno }
        guard code == 0 else {
            unlink(temporary)
            throw InputError(path, "cannot write file: \(reason(code))")
        }
        return temporary
    }

    /// write(2) until every byte is out; 0, or the errno of the first failure other than an
    /// interruption.
    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32 {
        var done = 0
        while done < bytes.count {
            let count = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return errno }
            if count == 0 { return EIO }
            done += count
        }
        return 0
    }

    /// Removes what interrupted writes left in `folder`: temporary files and folders of other
    /// processes (`*.partial-PID`, and `.dat.nosync*` from the Foundation writer earlier versions
    /// used). Only call it while holding the folder's `FolderLock`, when no other cooperating
    /// process can be writing there.
    public static func removeLeftovers(in folder: String) {
        let own = temporarySuffix + "\(getpid())"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            let leftover = (entry.contains(temporarySuffix) && !entry.hasSuffix(own)) || entry.hasPrefix(".dat.nosync")
            if leftover { try? FileManager.default.removeItem(atPath: folder + "/" + entry) }
        }
    }

    /// A short reason for an errno, for messages ("no space left on device", …).
    public static func reason(_ code: Int32) -> String {
        switch code {
        case ENOSPC: return "no space left on device"
        case EDQUOT: return "disk quota exceeded"
        case EACCES, EPERM: return "permission denied"
        case ENOENT: return "no such file or folder"
        case EROFS: return "read-only file system"
        case ENOTDIR: return "a parent is not a folder"
        case EISDIR: return "is a folder"
        default: return String(cString: strerror(code)).lowercased()
        }
    }

    /// Writes integer labels atomically, one per line.
    public static func writeLabels(_ labels: [Int], to path: String) throws {
        try writeAtomically(labelBytes(labels), to: path)
    }

    /// Integer labels as text, one per line (the bytes built directly: a string per label cost a
    /// millisecond on a 5000-frame video, a tenth of a one-shot `clot segment`).
    public static func labelBytes(_ labels: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(labels.count * 3)
        var digits: [UInt8] = []
        for label in labels {
            if label < 0 { bytes.append(UInt8(ascii: "-")) }
            var value = label.magnitude
            digits.removeAll(keepingCapacity: true)
            repeat {
                digits.append(UInt8(ascii: "0") + UInt8(value % 10))
                value /= 10
            } while value > 0
            bytes.append(contentsOf: digits.reversed())
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    /// Writes UTF-8 text atomically.
    public static func writeAtomically(_ text: String, to path: String) throws {
        try writeAtomically(Array(text.utf8), to: path)
    }
}
