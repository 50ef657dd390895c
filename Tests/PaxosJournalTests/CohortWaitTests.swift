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
        #expect(cohort.patienceNanoseconds == CohortWait.defaultMaximumPatienceNanoseconds)
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

    /// The writer's side, driven by hand: with 8 requests expected and 3 queued it waits, and
    /// takes all 8 as one batch once the other 5 arrive (the patience is a minute here, so the
    /// outcome cannot depend on how fast this machine is).
    @Test func theWriterWaitsForTheCohortAndTakesItAsOneBatch() async throws {
        let core = Self.core()
        for index in 0..<3 { core.enqueue(Self.request(index)) }
        var cohort = CohortWait(maximumPatienceNanoseconds: 60_000_000_000)
        cohort.prepare(completed: 8, alreadyQueued: 0, syncNanoseconds: UInt64.max)
        let taken = Task.detached { [cohort] in
            var cohort = cohort
            return core.nextBatch(cohort: &cohort)?.count
        }
        // Only once the writer sleeps waiting for eight (or, were it not to wait, has taken the
        // three) do the other five arrive.
        while !core.queue.withLock({ ($0.writerSleeping && $0.wakeAtCount == 8) || $0.pending.isEmpty }) {
            try await Task.sleep(for: .milliseconds(1))
        }
        for index in 3..<8 { core.enqueue(Self.request(index)) }
        #expect(await taken.value == 8)
    }

    /// When the cohort does not come back within the patience, the writer goes with what it has
    /// and stops waiting for a while.
    @Test func anUnansweredCohortIsNotAwaitedAgainAtOnce() {
        let core = Self.core()
        for index in 0..<3 { core.enqueue(Self.request(index)) }
        var cohort = CohortWait(maximumPatienceNanoseconds: 1_000_000)
        cohort.prepare(completed: 8, alreadyQueued: 0, syncNanoseconds: UInt64.max)
        #expect(core.nextBatch(cohort: &cohort)?.count == 3)
        cohort.prepare(completed: 8, alreadyQueued: 0, syncNanoseconds: UInt64.max)
        #expect(cohort.target == nil)
    }

    /// A lone request is taken at once, whatever was expected, when a batch bound is reached.
    @Test func aFullBatchIsNotHeldBack() {
        var options = JournalOptions()
        options.maxBatchRecords = 2
        let core = Self.core(options: options)
        for index in 0..<2 { core.enqueue(Self.request(index)) }
        var cohort = CohortWait(maximumPatienceNanoseconds: 60_000_000_000)
        cohort.prepare(completed: 8, alreadyQueued: 0, syncNanoseconds: UInt64.max)
        #expect(core.nextBatch(cohort: &cohort)?.count == 2)
    }

    private static func core(options: JournalOptions = JournalOptions()) -> JournalCore {
        JournalCore(
            directory: "/nonexistent", options: options,
            published: PublishedState(index: JournalIndex(), durableSequence: 0, syncedSequence: 0, lastSequence: 0))
    }

    private static func request(_ index: Int) -> PendingAppend {
        PendingAppend(records: [[UInt8(index)]], payloadBytes: 2, completion: { _ in })
    }
}
