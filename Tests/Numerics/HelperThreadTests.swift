import CLOTCore
import Foundation
@testable import Optimized
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The process's one helper thread (`HelperThread`): one holder at a time, jobs run on a
/// thread other than the caller's, a job posted after the helper has gone to sleep still
/// runs, and a job the helper has not claimed when the caller waits runs on the caller. Other suites run beside this one and may hold the helper, so each test first waits
/// (up to ten seconds) until it can claim it.
@Suite("Helper thread")
struct HelperThreadTests {
    /// The helper once it is free, or nil when the process has none (one solver thread).
    static func claimWhenFree() -> HelperThread? {
        guard Optimized.solverThreads > 1 else { return nil }
        for _ in 0..<10_000 {
            if let helper = HelperThread.claim(evenIfBusy: true) { return helper }
            usleep(1_000)
        }
        Issue.record("the helper stayed claimed for ten seconds")
        return nil
    }

    final class Record: @unchecked Sendable {
        var runs = 0
        var thread = pthread_t()
        private let finished = Atomic<Int>(0)
        /// Counts a run, after its other writes (read with `runsSeen` from the other thread).
        func finish() { finished.add(1, ordering: .releasing) }
        var runsSeen: Int { finished.load(ordering: .acquiring) }
    }

    @Test("a claimed helper is not handed out again until it is released")
    func oneHolderAtATime() throws {
        guard let helper = Self.claimWhenFree() else {
            #expect(HelperThread.claim() == nil, "one solver thread, yet a helper was handed out")
            return
        }
        #expect(HelperThread.claim(evenIfBusy: true) == nil, "handed out twice")
        helper.release()
        let again = try #require(Self.claimWhenFree())
        #expect(again === helper, "there is one helper per process")
        again.release()
    }

    /// Waits (up to ten seconds) until the posted job has run, without calling `wait()`, so
    /// that the caller cannot claim it: it must run on the helper.
    static func awaitRun(_ record: Record, count: Int) {
        var tries = 0
        while record.runsSeen < count && tries < 1_000_000 {
            usleep(10)
            tries += 1
        }
    }

    @Test("jobs run on the helper while the caller does not wait, also after the helper has slept")
    func jobsRunAfterSleep() {
        guard let helper = Self.claimWhenFree() else { return }
        defer { helper.release() }
        let record = Record()
        for round in 1...3 {
            helper.start { record.thread = pthread_self(); record.finish() }
            Self.awaitRun(record, count: round)
            helper.wait()
            #expect(record.runsSeen == round)
            #expect(pthread_equal(record.thread, pthread_self()) == 0, "the job ran on the caller")
            // Long past the spin period: the next job finds the helper asleep.
            usleep(UInt32(4 * HelperThread.spinNanoseconds / 1_000))
        }
    }

    /// A caller that waits for a job the helper has not claimed runs it itself (the helper,
    /// asleep, takes tens of microseconds to wake; the caller claims the job at once). Which
    /// side runs a job is a race, so this asserts that every job runs once, before `wait()`
    /// returns, and that the caller did claim some of them.
    @Test("a job the sleeping helper has not claimed runs once, on the caller, and the helper serves the next")
    func callerRunsUnclaimedJob() {
        guard let helper = Self.claimWhenFree() else { return }
        defer { helper.release() }
        let record = Record()
        var onCaller = 0
        for round in 1...10 {
            usleep(UInt32(4 * HelperThread.spinNanoseconds / 1_000))
            helper.start { record.thread = pthread_self(); record.finish() }
            helper.wait()
            #expect(record.runsSeen == 2 * round - 1, "the job did not run exactly once before wait() returned")
            if pthread_equal(record.thread, pthread_self()) != 0 { onCaller += 1 }
            helper.start { record.thread = pthread_self(); record.finish() }
            Self.awaitRun(record, count: 2 * round)
            helper.wait()
            #expect(pthread_equal(record.thread, pthread_self()) == 0, "after a claimed job, the helper stopped serving")
        }
        #expect(record.runsSeen == 20)
        #expect(onCaller > 0, "the caller never ran a job the sleeping helper had not claimed")
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

    @Test("the count of runnable tasks is read from /proc/loadavg, this thread among them")
    func runnableTasks() throws {
        guard FileManager.default.fileExists(atPath: "/proc/loadavg") else { return }
        let count = try #require(CoreAvailability.runnableTasks())
        #expect(count >= 1)
    }
}
