import Histogram

/// Counters and the fsync latency distribution, so batching and compression are measured, not assumed.
public struct JournalMetrics: Sendable {
    /// fdatasync latency of each batch, in nanoseconds.
    public var fsyncLatencyNanoseconds = Histogram<UInt64>(
        highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    /// fdatasync calls that covered appended frames.
    public var fsyncCount = 0
    /// Frames (batches) written.
    public var batches = 0
    /// Records written and synced.
    public var recordsWritten = 0
    /// Payload bytes before compression.
    public var bytesUncompressed = 0
    /// Payload bytes as stored (after compression), headers and padding excluded.
    public var bytesStored = 0
    /// Bytes written to segments by appends: frames with their headers and padding.
    public var bytesWritten = 0
    /// Segment files created.
    public var segmentsCreated = 0

    /// The mean batch size in records: the group commit factor.
    public var recordsPerFsync: Double { fsyncCount == 0 ? 0 : Double(recordsWritten) / Double(fsyncCount) }

    public init() {}
}
