import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A second thread that runs one job at a time beside the caller, for the solver's row
/// chunks. Jobs are handed over and awaited by spinning on two counters: one solver iteration
/// takes tens of microseconds, and waking a sleeping thread would cost about as much. After a
/// few thousand spins a waiting side yields its core, so an oversubscribed machine (tests
/// running in parallel) is not starved. Lives for one solver call: `close()` joins it.
///
/// Which rows a chunk holds never depends on whether a worker exists, so results are the same
/// with one thread or two.
final class ChunkWorker: @unchecked Sendable {
    private let posted = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    // Written only while the worker waits, published by the releasing increment of `posted`.
    private var job: (() -> Void)?
    private var stopping = false
    private var thread = pthread_t()

    /// Starts the thread; nil if the system refuses one (the caller then runs every chunk).
    init?() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard pthread_create(&thread, nil, { context in
            Unmanaged<ChunkWorker>.fromOpaque(context!).takeUnretainedValue().serve()
            return nil
        }, context) == 0 else { return nil }
    }

    /// Runs `work` on the worker thread; `wait()` returns when it has finished.
    func start(_ work: @escaping () -> Void) {
        job = work
        posted.add(1, ordering: .releasing)
    }

    func wait() {
        let target = posted.load(ordering: .relaxed)
        spin { self.finished.load(ordering: .acquiring) == target }
        job = nil
    }

    /// Stops and joins the thread. Call once, after the last `wait()`.
    func close() {
        stopping = true
        posted.add(1, ordering: .releasing)
        pthread_join(thread, nil)
    }

    private func serve() {
        var seen = 0
        while true {
            seen += 1
            let target = seen
            spin { self.posted.load(ordering: .acquiring) >= target }
            if stopping { return }
            job?()
            finished.store(target, ordering: .releasing)
        }
    }

    @inline(__always)
    private func spin(until done: () -> Bool) {
        var spins = 0
        while !done() {
            spins += 1
            if spins > 4000 { sched_yield() }
        }
    }
}
