/// When the writer should wait for the appenders it has just completed to come back.
///
/// Appenders that await each append and append again form cohorts: while batch A syncs, the
/// appenders completed by the previous sync (cohort B) queue up; the moment A's sync returns, the
/// writer takes B alone and A's appenders, woken a few microseconds later, wait for the next turn.
/// Left alone, W such appenders settle into two alternating batches of W/2 and the journal pays two
/// fdatasyncs for what one could carry (measured here: 8.1 records per fsync with 16 writers).
///
/// So after each sync the writer expects the requests it completed plus those already queued, and
/// if fewer are queued when it looks, waits for the rest — but never longer than half the last
/// fdatasync took (waiting can cost at most half a sync, merging saves a whole one), never when one
/// request is all it expects (a lone appender is never delayed by a timer), and not at all for a
/// while after a wait that was not fully answered (callers such as the node, whose completions do
/// not lead straight to new appends).
struct CohortWait {
    /// How many queued requests the writer waits for, or nil when it should not wait.
    private(set) var target: Int?
    /// The most a wait may last.
    private(set) var patienceNanoseconds = 0
    /// Batches left before waiting is tried again after an unanswered wait.
    private var cooldown = 0
    /// The longest wait whatever the disk: beyond this the appenders are not coming back soon.
    let maximumPatienceNanoseconds: Int

    /// The default longest wait: 1 ms.
    static let defaultMaximumPatienceNanoseconds = 1_000_000
    /// Batches to skip waiting after a wait in which not every expected request came.
    static let cooldownBatches = 16

    init(maximumPatienceNanoseconds: Int = defaultMaximumPatienceNanoseconds) {
        self.maximumPatienceNanoseconds = maximumPatienceNanoseconds
    }

    /// Called after each sync, before completing the batch.
    /// - Parameters:
    ///   - completed: requests in the batch about to be completed.
    ///   - alreadyQueued: requests queued while it synced.
    ///   - syncNanoseconds: how long its fdatasync took.
    mutating func prepare(completed: Int, alreadyQueued: Int, syncNanoseconds: UInt64) {
        patienceNanoseconds = min(Int(clamping: syncNanoseconds / 2), maximumPatienceNanoseconds)
        let expected = completed + alreadyQueued
        if cooldown > 0 {
            cooldown -= 1
            target = nil
        } else {
            target = expected > 1 ? expected : nil
        }
    }

    /// Called after a wait for `waitedFor` requests ended (answered or timed out) with `arrived`
    /// queued.
    mutating func record(waitedFor: Int, arrived: Int) {
        target = nil
        if arrived < waitedFor { cooldown = Self.cooldownBatches }
    }
}
