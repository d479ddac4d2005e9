import Foundation
import Synchronization

/// A fixed number of threads working through a list: `clot reproduce --jobs J` runs J units at
/// once in one process, so that every unit of an activity shares one parsed copy of its data.
///
/// Threads of one process rather than child processes because the units are single-threaded
/// value-type code whose only shared state is read-only (the parsed videos, the paper's
/// tables) or made for concurrent use: the interruption flag, the console, the
/// memory-position cache (behind a lock).
enum WorkerPool {
    /// Calls `body(item, worker)` for every item on `threads` threads (`worker` in
    /// `0 ..< threads`, for progress lines), items taken in order; returns the results in item
    /// order. After an item throws, no further item starts; those running finish, and the error
    /// of the earliest failed item is thrown.
    static func map<Item: Sendable, Result: Sendable>(_ items: [Item], threads: Int,
                                                      _ body: @escaping @Sendable (Item, Int) throws -> Result) throws -> [Result] {
        let state = Shared(State<Result>(results: Array(repeating: nil, count: items.count)))
        let count = max(1, min(threads, items.count))
        let work: @Sendable (Int) -> Void = { worker in
            while true {
                let index: Int? = state.withLock { s in
                    guard s.failure == nil, s.next < items.count else { return nil }
                    defer { s.next += 1 }
                    return s.next
                }
                guard let index else { return }
                do {
                    let result = try body(items[index], worker)
                    state.withLock { $0.results[index] = result }
                } catch {
                    state.withLock { s in
                        if s.failure.map({ index < $0.index }) ?? true { s.failure = (index, error) }
                    }
                }
            }
        }
        if count == 1 {
            work(0)
        } else {
            let finished = DispatchGroup()
            for worker in 0..<count {
                finished.enter()
                let thread = Thread {
                    work(worker)
                    finished.leave()
                }
                // The main thread's size: the training code keeps some buffers on the stack.
                thread.stackSize = 8 << 20
                thread.start()
            }
            finished.wait()
        }
        return try state.withLock { s in
            if let failure = s.failure { throw failure.error }
            return s.results.map { $0! }
        }
    }

    /// Calls `body` for every item on `threads` threads; see `map`.
    static func map<Item: Sendable, Result: Sendable>(_ items: [Item], threads: Int,
                                                      _ body: @escaping @Sendable (Item) throws -> Result) throws -> [Result] {
        try map(items, threads: threads) { item, _ in try body(item) }
    }

    /// A value behind a lock, for threads to share.
    final class Shared<Value>: @unchecked Sendable {
        private let mutex: Mutex<Value>
        init(_ value: sending Value) { mutex = Mutex(value) }
        func withLock<R>(_ body: (inout sending Value) throws -> sending R) rethrows -> sending R { try mutex.withLock(body) }
    }

    private struct State<Result> {
        var next = 0
        var results: [Result?]
        var failure: (index: Int, error: any Error)?
    }

    /// The CPUs this process may run on (its affinity mask: what Slurm's `--cpus-per-task`, a
    /// cgroup or `taskset` leave it), at least 1.
    static var availableCores: Int {
        // "Cpus_allowed:\tff,ffffffff" in /proc/self/status: the mask in hexadecimal words.
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) {
            let count = line.dropFirst("Cpus_allowed:".count).reduce(0) { total, character in
                total + (character.hexDigitValue?.nonzeroBitCount ?? 0)
            }
            if count > 0 { return count }
        }
        return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
