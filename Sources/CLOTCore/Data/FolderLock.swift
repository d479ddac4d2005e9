import Foundation

/// Exclusive use of an output folder by one process: an advisory `flock` on `FOLDER/.clot.lock`.
///
/// The kernel releases the lock when its holder exits or dies (kill -9 included), so a folder
/// left by a dead run is free again at once; a second process that asks while the holder lives
/// is refused, told who holds it (the holder writes its pid, host, start time and command line
/// into the lock file). The lock file itself is never removed: removing it while another
/// process waits on it would let two processes hold "the" lock on two different files.
///
/// Scope: `flock` locks are honoured between processes on one machine. On NFS, Linux turns
/// `flock` into a whole-file POSIX lock that the server arbitrates (NFSv4, or NFSv3 with the
/// lock manager running; not with the `nolock` mount option), so two machines are excluded as
/// well; a lock whose client machine dies is released when the server's lease on it expires
/// (about 90 s for NFSv4). On file systems without working locks the outputs are still written
/// all or nothing, but two writers are not kept apart.
public final class FolderLock: @unchecked Sendable {
    public let folder: String
    private let descriptor: Int32

    /// The lock file's name inside the folder.
    public static let fileName = ".clot.lock"

    private init(folder: String, descriptor: Int32) {
        self.folder = folder
        self.descriptor = descriptor
    }

    /// Takes the lock of an existing folder without waiting; throws naming the holder when a
    /// live process has it. `purpose` is written for the next one who asks ("clot train …").
    public static func acquire(_ folder: String, purpose: String) throws -> FolderLock {
        let path = folder + "/" + fileName
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw InputError(folder, "cannot create the lock file \(fileName): \(FileSystem.reason(errno))")
        }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            if code == EWOULDBLOCK {
                throw InputError(folder, "is in use by another clot run" + (holder.isEmpty ? "" : " (\(holder))"),
                                 hint: "wait for it to finish, or choose another output folder")
            }
            throw InputError(folder, "cannot lock the folder: \(FileSystem.reason(code))")
        }
        let lock = FolderLock(folder: folder, descriptor: descriptor)
        lock.describeHolder(purpose)
        return lock
    }

    /// Writes "pid P on HOST since TIME: PURPOSE" into the lock file (best effort: the lock
    /// holds without it).
    private func describeHolder(_ purpose: String) {
        let host = ProcessInfo.processInfo.hostName
        let since = ISO8601DateFormatter().string(from: Date())
        let line = Array("pid \(getpid()) on \(host) since \(since): \(purpose)\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = line.withUnsafeBytes { pwrite(descriptor, $0.baseAddress!, $0.count, 0) }
    }

    /// Releases the lock (also done when the process ends, however it ends).
    deinit {
        close(descriptor)
    }
}
