/// The in-memory index of the whole journal, built by the recovery scan and extended by the
/// writer after each fdatasync; readers binary-search it to find a record's frame.
struct JournalIndex: Sendable {
    /// Segments in sequence order.
    var segments: [SegmentIndex] = []

    /// The first sequence number still held (1 for an empty journal that was never truncated).
    var firstSequence: UInt64 { segments.first?.baseSequence ?? 1 }

    /// The last durable sequence number (0 when empty).
    var lastSequence: UInt64 { segments.last?.lastSequence ?? 0 }

    /// The segment file and frame holding `sequence`, or in a sealed segment the sampled frame to
    /// read headers forward from (`exact` false; see `SegmentIndex`).
    func locate(_ sequence: UInt64) -> (path: String, frame: FrameLocation, exact: Bool)? {
        var low = 0
        var high = segments.count
        while low < high {
            let middle = (low + high) / 2
            if segments[middle].lastSequence < sequence { low = middle + 1 } else { high = middle }
        }
        guard low < segments.count, let found = segments[low].frame(containing: sequence) else { return nil }
        return (segments[low].path, found.frame, found.exact)
    }
}
