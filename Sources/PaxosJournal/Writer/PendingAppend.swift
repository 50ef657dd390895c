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
