import PaxosJournal

/// What a node core needs of its journal: appends that complete once durable, where the journal
/// stands, and the deletion of segments a checkpoint covers. The node process gives it the real
/// ``Journal``; the whole-node simulation gives it a journal in memory whose completions (and
/// fsync failures) it delivers when its seed says.
protocol NodeJournal: AnyObject, Sendable {
    /// The sequence number of the last record handed to the journal (durable or not).
    var lastSequence: UInt64 { get }

    /// The directory the journal lives in (for the status and the health check).
    var directory: String { get }

    /// The counters and fsync latencies the status reports.
    var metrics: JournalMetrics { get }

    /// Appends `records` as one unit; `completion` runs, off the event loop, once they are durable
    /// (or the journal failed: the node must then stop).
    func append(
        contentsOf records: [[UInt8]],
        completion: @escaping @Sendable (Result<ClosedRange<UInt64>, JournalError>) -> Void)

    /// Deletes the segments that hold only records before `sequence`; returns how many.
    func truncate(before sequence: UInt64) throws(JournalError) -> Int
}

extension Journal: NodeJournal {}
