import Foundation
import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// Appenders that await each append and append again are gathered into one batch instead of
/// settling into two alternating half-size batches (each paying its own fdatasync).
@Suite struct CohortWaitTests {
    @Test func aLoneAppenderIsNeverMadeToWait() {
        var cohort = CohortWait()
        cohort.prepare(completed: 1, alreadyQueued: 0, syncNanoseconds: 200_000)
        #expect(cohort.target == nil)
    }

    @Test func waitsForTheCompletedAndTheQueuedForAtMostHalfASync() {
        var cohort = CohortWait()
        cohort.prepare(completed: 8, alreadyQueued: 8, syncNanoseconds: 300_000)
        #expect(cohort.target == 16)
        #expect(cohort.patienceNanoseconds == 150_000)
        cohort.prepare(completed: 16, alreadyQueued: 0, syncNanoseconds: 50_000_000)
        #expect(cohort.patienceNanoseconds == CohortWait.maximumPatienceNanoseconds)
    }

    @Test func anAnsweredWaitKeepsWaiting() {
        var cohort = CohortWait()
        cohort.prepare(completed: 16, alreadyQueued: 0, syncNanoseconds: 300_000)
        cohort.record(waitedFor: 16, arrived: 16)
        cohort.prepare(completed: 16, alreadyQueued: 0, syncNanoseconds: 300_000)
        #expect(cohort.target == 16)
    }

    @Test func anUnansweredWaitPausesWaitingForAWhile() {
        var cohort = CohortWait()
        cohort.prepare(completed: 16, alreadyQueued: 0, syncNanoseconds: 300_000)
        cohort.record(waitedFor: 16, arrived: 3)
        for _ in 0..<CohortWait.cooldownBatches {
            cohort.prepare(completed: 16, alreadyQueued: 0, syncNanoseconds: 300_000)
            #expect(cohort.target == nil)
        }
        cohort.prepare(completed: 16, alreadyQueued: 0, syncNanoseconds: 300_000)
        #expect(cohort.target == 16)
    }

    /// With a slow disk (20 ms per fdatasync, injected) eight looping appenders come back well
    /// within the patience, so nearly every fsync carries all eight; alternating batches would
    /// carry four (measured without the wait: 6.0 per fsync, the first rounds split unevenly).
    @Test func loopingAppendersShareOneFsyncPerRound() async throws {
        try await withTemporaryDirectory { dir in
            var options = JournalOptions()
            options.syscalls.fdatasync = { fd in
                usleep(20_000)
                return JournalSyscalls.system.fdatasync(fd)
            }
            let journal = try Journal.open(directory: dir, options: options)
            _ = try await journal.append([0])  // creates the segment
            let before = journal.metrics
            let (writers, rounds) = (8, 24)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for round in 0..<rounds { _ = try await journal.append([UInt8(writer), UInt8(round)]) }
                    }
                }
                try await group.waitForAll()
            }
            let after = journal.metrics
            journal.close()
            let fsyncs = after.fsyncCount - before.fsyncCount
            let perFsync = Double(writers * rounds) / Double(fsyncs)
            #expect(perFsync > 7, "\(fsyncs) fsyncs for \(writers * rounds) records")
        }
    }
}
