/// The in-memory index of one segment: its file and the location of every durable frame.
struct SegmentIndex: Sendable {
    /// The segment file.
    var path: String
    /// The segment's never-reused id.
    var segmentID: UInt64
    /// The first sequence number the segment holds.
    var baseSequence: UInt64
    /// Durable frames in order.
    var frames: [FrameLocation]

    /// The last sequence number held (base - 1 when empty).
    var lastSequence: UInt64 { frames.last?.lastSequence ?? baseSequence - 1 }

    /// The frame holding `sequence`, by binary search.
    func frame(containing sequence: UInt64) -> FrameLocation? {
        var low = 0
        var high = frames.count
        while low < high {
            let middle = (low + high) / 2
            if frames[middle].lastSequence < sequence { low = middle + 1 } else { high = middle }
        }
        guard low < frames.count, frames[low].firstSequence <= sequence else { return nil }
        return frames[low]
    }
}
