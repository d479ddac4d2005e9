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

    /// The UTF-8 text of a file.
    public static func readText(_ path: String) throws -> String {
        if isDirectory(path) { throw InputError(path, "is a folder, not a file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(path, "cannot read file (missing or unreadable)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(path, "is not UTF-8 text")
        }
        return text
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

    /// Writes bytes to a temporary file beside `path`, then renames it over `path`. Plain
    /// open/write/rename: no fsync (Foundation's atomic `createFile` syncs every file to disk,
    /// which cost milliseconds per output on a busy disk and made a folder of 200 small
    /// outputs take seconds); the rename still leaves either the old file or the whole new one.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".partial-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw InputError(path, "cannot write file", hint: "check the folder exists and is writable")
        }
        let complete = bytes.withUnsafeBytes { writeAll($0, to: descriptor) }
        guard close(descriptor) == 0, complete else {
            unlink(temporary)
            throw InputError(path, "cannot write file", hint: "is the disk full?")
        }
        if rename(temporary, path) != 0 {
            unlink(temporary)
            throw InputError(path, "cannot move the finished file into place")
        }
    }

    /// write(2) until every byte is out (or an error other than an interruption).
    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
        var done = 0
        while done < bytes.count {
            let count = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            done += count
        }
        return true
    }

    /// Writes integer labels atomically, one per line (the bytes built directly: a string per
    /// label cost a millisecond on a 5000-frame video, a tenth of a one-shot `clot segment`).
    public static func writeLabels(_ labels: [Int], to path: String) throws {
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
        try writeAtomically(bytes, to: path)
    }

    /// Writes UTF-8 text atomically.
    public static func writeAtomically(_ text: String, to path: String) throws {
        try writeAtomically(Array(text.utf8), to: path)
    }
}
