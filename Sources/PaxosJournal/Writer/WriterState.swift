// The group-commit writer's state, one type per role: what appenders queue (`PendingAppend`,
// `WriterQueue`), what the writer thread owns (`OpenSegment`) and starts from (`WriterStart`), and
// what it publishes for readers after each fdatasync (`PublishedState`). The behaviour is in
// `JournalWriter` (the thread), `JournalCore` (appending and reading) and `CohortWait`.

/// One append request waiting in the writer's queue. A request is never split across frames, so
/// its records get contiguous sequence numbers.
struct PendingAppend: Sendable {
    /// The records, in order.
    var records: [[UInt8]]
    /// Their encoded payload size, for the batch byte bound.
    var payloadBytes: Int
    /// A request with no records that asks for an fdatasync of everything written (`Journal.sync`);
    /// it completes with the synced sequence as a one-element range.
    var isSyncRequest = false
    /// Called on the writer thread once the covering fdatasync returned (or the append failed).
    var completion: @Sendable (Result<ClosedRange<UInt64>, JournalError>) -> Void
}

/// What appenders and the writer thread share, always accessed under the queue's mutex.
struct WriterQueue: Sendable {
    /// Requests not yet taken by the writer, oldest first.
    var pending: [PendingAppend] = []
    /// Set by a final failure (fdatasync or write error): every later append fails with it.
    var failure: JournalError?
    /// Set by `close()`: the writer drains what is queued, then exits.
    var closing = false
    /// True while the writer waits on its semaphore; whoever clears it must signal once.
    var writerSleeping = false
    /// While the writer sleeps, an appender wakes it only once `pending` holds this many requests
    /// (1 when idle; more while it waits for the appenders it just completed to come back).
    var wakeAtCount = 1
}

/// The segment the writer appends to: owned by the writer thread alone.
struct OpenSegment: Sendable {
    /// Descriptor opened read-write.
    var fd: Int32
    /// The segment file.
    var path: String
    /// Its never-reused id.
    var segmentID: UInt64
    /// Its first sequence number.
    var baseSequence: UInt64
    /// The file's preallocated size: frames must end at or before it.
    var capacity: Int64
    /// Where the next frame goes.
    var endOffset: Int64
    /// Whether any frame was written to it (an empty segment may be replaced by a bigger one).
    var isEmpty: Bool
    /// Pages before this offset were dropped from the page cache (see
    /// ``JournalOptions/keepsWrittenPagesCached``); always a multiple of the page size.
    var cacheDroppedUpTo: Int64 = 0

    /// The whole pages that are written and synced but not yet dropped: from the last drop up to
    /// the page holding `endOffset`, which the next frame may still write into (dropping it would
    /// make that write read it back from disk first). Empty when no page was completed.
    func completedPages(pageSize: Int64) -> Range<Int64> {
        let end = endOffset / pageSize * pageSize
        return cacheDroppedUpTo..<max(cacheDroppedUpTo, end)
    }
}

/// Everything recovery hands to the writer thread when it starts.
struct WriterStart: Sendable {
    /// The last segment, reopened for writing, or nil for an empty journal.
    var segment: OpenSegment?
    /// The sequence number of the next record.
    var nextSequence: UInt64
    /// The id for the next segment created: one more than the largest seen.
    var nextSegmentID: UInt64
    /// What recovery found that may mean synced records are gone.
    var findings = OpenFindings()
}

/// What the writer publishes after each fdatasync and readers consult: the index, the durable
/// watermark and the metrics.
struct PublishedState: Sendable {
    /// Every durable frame's location.
    var index: JournalIndex
    /// Highest sequence number written and readable: durable too, unless the journal does not
    /// sync every batch (see `syncedSequence`).
    var durableSequence: UInt64
    /// Highest sequence number known synced.
    var syncedSequence: UInt64
    /// Highest sequence number handed to a batch that is being written (>= durableSequence).
    var lastSequence: UInt64
    /// Counters and the fsync latency histogram.
    var metrics = JournalMetrics()
    /// Set once `close()` ran: reads fail from then on.
    var closed = false
}
