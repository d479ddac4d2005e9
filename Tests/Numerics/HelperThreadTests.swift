import CLOTCore
@testable import Optimized
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The process's one helper thread (`HelperThread`): one holder at a time, jobs run on a
/// thread other than the caller's, and a job posted after the helper has gone to sleep still
/// runs. Other suites run beside this one and may hold the helper, so each test first waits
/// (up to ten seconds) until it can claim it.
@Suite("Helper thread")
struct HelperThreadTests {
    /// The helper once it is free, or nil when the process has none (one solver thread).
    static func claimWhenFree() -> HelperThread? {
        guard Optimized.solverThreads > 1 else { return nil }
        for _ in 0..<10_000 {
            if let helper = HelperThread.claim() { return helper }
            usleep(1_000)
        }
        Issue.record("the helper stayed claimed for ten seconds")
        return nil
    }

    final class Record: @unchecked Sendable {
        var runs = 0
        var thread = pthread_t()
    }

    @Test("a claimed helper is not handed out again until it is released")
    func oneHolderAtATime() throws {
        guard let helper = Self.claimWhenFree() else {
            #expect(HelperThread.claim() == nil, "one solver thread, yet a helper was handed out")
            return
        }
        #expect(HelperThread.claim() == nil, "handed out twice")
        helper.release()
        let again = try #require(Self.claimWhenFree())
        #expect(again === helper, "there is one helper per process")
        again.release()
    }

    @Test("jobs run on another thread, also after the helper has slept")
    func jobsRunAfterSleep() {
        guard let helper = Self.claimWhenFree() else { return }
        defer { helper.release() }
        let record = Record()
        for round in 1...3 {
            helper.start { record.runs += 1; record.thread = pthread_self() }
            helper.wait()
            #expect(record.runs == round)
            #expect(pthread_equal(record.thread, pthread_self()) == 0, "the job ran on the caller")
            // Long past the spin period: the next job finds the helper asleep.
            usleep(UInt32(4 * HelperThread.spinNanoseconds / 1_000))
        }
    }

    @Test("with the helper taken, concurrently runs both closures on the caller")
    func concurrentlyFallsBack() {
        guard let helper = Self.claimWhenFree() else { return }
        defer { helper.release() }
        let record = Record()
        var first = 0
        Optimized.concurrently({ first += 1 }, { record.runs += 1; record.thread = pthread_self() })
        #expect(first == 1 && record.runs == 1)
        #expect(pthread_equal(record.thread, pthread_self()) != 0, "the second closure left the caller's thread")
    }
}
