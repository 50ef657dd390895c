/// Where one frame lives in its segment, as kept in the in-memory index (24 bytes a frame).
struct FrameLocation: Sendable, Equatable {
    /// Byte offset of the frame header in the segment file.
    var offset: Int64
    /// Sequence number of the frame's first record.
    var firstSequence: UInt64
    /// Number of records in the frame.
    var recordCount: UInt32

    /// Sequence number of the frame's last record.
    var lastSequence: UInt64 { firstSequence + UInt64(recordCount) - 1 }
}
