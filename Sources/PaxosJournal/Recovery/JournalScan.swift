/// The result of scanning a whole journal directory: every segment in log order, and a verdict.
public struct JournalScan: Sendable {
    /// The journal directory.
    public var directory: String
    /// Every segment, in sequence order.
    public var segments: [SegmentScan]
    /// The first damage that a crash cannot explain, in log order; nil when the journal is sound.
    public var corruption: JournalError?
    /// The torn tail of the last segment, when that is the only damage: recovery cuts it off.
    public var tornTail: JournalError?

    /// The last sequence number held by valid frames (0 for an empty journal).
    public var lastSequence: UInt64 {
        for segment in segments.reversed() {
            if let last = segment.lastSequence { return last }
        }
        return 0
    }
}
