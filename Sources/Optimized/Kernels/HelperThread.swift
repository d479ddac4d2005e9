import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The process's one helper thread: a second thread that runs one job at a time beside its
/// caller, for the solver's row chunks and items and for the concurrent pseudo-label stages.
///
/// What it buys, when a core is free for it (alternating release runs of `clot bench` with and
/// without it on an idle 2-core machine): a CLOT training step takes 4.8–4.9 ms instead of
/// 5.35–5.37 ms, and a decode of 20 000 frames as little as 8.4 ms instead of 14 ms. With every
/// core busy (`clot reproduce --jobs` = cores) it is never claimed and costs nothing.
///
/// It is started once and kept, because starting and joining a thread costs about 50 µs, as
/// much as one solver call on a short video, and a training step needs the second thread twice. One caller at a time holds it (`claim()`); a caller that
/// finds it taken (tests running side by side, or a job that itself asks for it) gets nil and
/// does all the work itself. Which rows or items each side computes never depends on whether a
/// helper exists, so results are the same either way.
///
/// Jobs are handed over by counters. Both sides spin while they wait, because one solver
/// iteration takes tens of microseconds and waking a sleeping thread costs about as much; the
/// caller yields its core after a few thousand spins, and the helper, once it has waited
/// `spinNanoseconds` without a job, sleeps on a condition variable until the next one.
/// Whichever side claims a job first runs it: a caller whose job the helper has not started by
/// the time the caller waits for it (the helper asleep, or its core taken by another process)
/// runs the job itself, so the second thread never makes a call slower than one thread would.
final class HelperThread: @unchecked Sendable {
    /// The helper, started on first use; nil with one solver thread (`CLOT_SOLVER_THREADS=1`,
    /// a one-core machine) or if the system refuses a thread.
    private static let shared: HelperThread? = Optimized.solverThreads > 1 ? HelperThread() : nil

    /// How long the idle helper spins before it sleeps: far longer than the gap between two
    /// solver iterations, and about the gap between the pseudo-label jobs of a training step.
    /// A longer spin slows the step: on two cores that behave like SMT siblings, a spinning
    /// core slows the busy one.
    static let spinNanoseconds: UInt64 = 250_000

    /// The helper for the caller's sole use until `release()`, or nil when there is none,
    /// another caller holds it, or (unless `evenIfBusy`) other processes leave it no core
    /// (`CoreAvailability`).
    static func claim(evenIfBusy: Bool = false) -> HelperThread? {
        guard let helper = shared else { return nil }
        if !evenIfBusy && !CoreAvailability.secondCoreFree(helperAwake: helper.isAwake) { return nil }
        guard helper.claimed.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return nil }
        return helper
    }

    /// Whether the helper is spinning or running a job rather than asleep.
    private var isAwake: Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return !sleeping
    }

    /// Gives the helper back; call after the last `wait()`.
    func release() {
        claimed.store(false, ordering: .releasing)
    }

    private let claimed = Atomic<Bool>(false)
    private let posted = Atomic<Int>(0)
    /// The last job claimed to run, by the helper or by its caller.
    private let taken = Atomic<Int>(0)
    /// The last job the helper has run.
    private let finished = Atomic<Int>(0)
    // Written only while the helper waits, published by the releasing increment of `posted`.
    private var job: (() -> Void)?
    // The sleeping helper's flag and its wake-up, both under `lock`.
    private var sleeping = false
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wakeUp = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    private init?() {
        pthread_mutex_init(lock, nil)
        pthread_cond_init(wakeUp, nil)
        var thread = pthread_t()
        // The helper lives as long as the process (`shared` is never released).
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard pthread_create(&thread, nil, { context in
            Unmanaged<HelperThread>.fromOpaque(context!).takeUnretainedValue().serve()
            return nil
        }, context) == 0 else { return nil }
        pthread_detach(thread)
    }

    /// Runs `work` on the helper; `wait()` returns when it has finished.
    func start(_ work: @escaping () -> Void) {
        job = work
        posted.add(1, ordering: .releasing)
        // The helper reads `posted` under the lock before it sleeps, so either it sees this
        // job or it is asleep (flag set) by the time the lock is ours.
        pthread_mutex_lock(lock)
        if sleeping { pthread_cond_signal(wakeUp) }
        pthread_mutex_unlock(lock)
    }

    /// Returns when the job has run: on the caller, if the helper has not claimed it yet.
    func wait() {
        let target = posted.load(ordering: .relaxed)
        if claim(target) {
            job?()
            job = nil
            return
        }
        var spins = 0
        while finished.load(ordering: .acquiring) != target {
            spins += 1
            if spins > 4000 { sched_yield() }
        }
        job = nil
    }

    private func serve() {
        var seen = 0
        while true {
            seen += 1
            awaitJob(seen)
            guard claim(seen) else { continue }   // its caller ran it
            job?()
            finished.store(seen, ordering: .releasing)
        }
    }

    /// Claims job `number` (the one after the last claimed) for the calling side.
    private func claim(_ number: Int) -> Bool {
        taken.compareExchange(expected: number &- 1, desired: number, ordering: .acquiringAndReleasing).exchanged
    }

    /// Starts the helper now (it is otherwise started by the first `claim()`), so that a solve
    /// about to begin finds it running; not when other processes leave it no core (its start
    /// and its spinning would then only take time from the caller).
    static func prepare() {
        guard CoreAvailability.secondCoreFree(helperAwake: false) else { return }
        _ = shared
    }

    /// Spins until job `number` is posted, for at most `spinNanoseconds`, then sleeps until it is.
    private func awaitJob(_ number: Int) {
        let start = Self.now()
        var spins = 0
        while posted.load(ordering: .acquiring) < number {
            spins += 1
            guard spins & 63 == 0 else { continue }
            if Self.now() &- start < Self.spinNanoseconds { continue }
            pthread_mutex_lock(lock)
            while posted.load(ordering: .acquiring) < number {
                sleeping = true
                pthread_cond_wait(wakeUp, lock)
                sleeping = false
            }
            pthread_mutex_unlock(lock)
            return
        }
    }

    private static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }
}
