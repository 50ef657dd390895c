/// A record read back from the journal with its sequence number.
public struct JournalRecord: Sendable, Equatable {
    /// The record's sequence number.
    public var sequence: UInt64
    /// The record's bytes, exactly as appended.
    public var bytes: [UInt8]

    public init(sequence: UInt64, bytes: [UInt8]) {
        self.sequence = sequence
        self.bytes = bytes
    }
}
