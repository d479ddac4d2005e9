#if canImport(Glibc)
import Glibc
#endif

extension Optimized {
    /// Runs `first` on the calling thread and `second` on a new thread at the same time, and
    /// returns when both have finished. For two pieces of work of a training step that share no
    /// data: unlike `ChunkWorker`, the thread ends with its job, so nothing spins beside the
    /// caller afterwards. With one solver thread (`CLOT_SOLVER_THREADS=1`, or a one-core
    /// machine), or if the system refuses a thread, both run on the caller, `first` first.
    /// Each closure must write only what the other does not touch; the results are then the
    /// same either way.
    static func concurrently(_ first: () -> Void, _ second: @escaping () -> Void) {
        guard solverThreads > 1 else {
            first()
            second()
            return
        }
        final class Job { let work: () -> Void; init(_ work: @escaping () -> Void) { self.work = work } }
        let job = Unmanaged.passRetained(Job(second))
        var thread = pthread_t()
        guard pthread_create(&thread, nil, { context in
            let job = Unmanaged<Job>.fromOpaque(context!)
            job.takeUnretainedValue().work()
            return nil
        }, job.toOpaque()) == 0 else {
            job.release()
            first()
            second()
            return
        }
        first()
        pthread_join(thread, nil)
        job.release()
    }
}
