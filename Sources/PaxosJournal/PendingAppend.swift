/// One append request waiting in the writer's queue. A request is never split across frames, so
/// its records get contiguous sequence numbers.
struct PendingAppend: Sendable {
    /// The records, in order.
    var records: [[UInt8]]
    /// Their encoded payload size, for the batch byte bound.
    var payloadBytes: Int
    /// Called on the writer thread once the covering fdatasync returned (or the append failed).
    var completion: @Sendable (Result<ClosedRange<UInt64>, JournalError>) -> Void
}
