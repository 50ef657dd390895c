/// What the writer just wrote: one frame, and the fsync that covered it if there was one.
///
/// Handed to ``JournalOptions/batchObserver`` so that a process can export the journal's figures
/// (to Prometheus, say) as they happen, without the journal knowing about any metrics system.
public struct JournalBatchReport: Sendable {
    /// Records in the frame.
    public var records: Int
    /// Payload bytes before compression.
    public var bytesUncompressed: Int
    /// Payload bytes as stored, after compression.
    public var bytesStored: Int
    /// The frame's bytes on disk, header and padding included.
    public var bytesWritten: Int
    /// How long the fdatasync after this frame took, in nanoseconds; nil when the frame was not
    /// synced on its own (``JournalOptions/syncsEveryBatch`` is false).
    public var fsyncNanoseconds: UInt64?

    public init(
        records: Int, bytesUncompressed: Int, bytesStored: Int, bytesWritten: Int, fsyncNanoseconds: UInt64?
    ) {
        self.records = records
        self.bytesUncompressed = bytesUncompressed
        self.bytesStored = bytesStored
        self.bytesWritten = bytesWritten
        self.fsyncNanoseconds = fsyncNanoseconds
    }
}
