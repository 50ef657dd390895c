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
