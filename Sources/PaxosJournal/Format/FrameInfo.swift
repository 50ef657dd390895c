import PaxosCompression

/// What the scanner found about one frame: enough for an `inspect` listing and for the index.
public struct FrameInfo: Sendable, Equatable {
    /// Byte offset of the frame header within its segment file.
    public var offset: Int64
    /// The parsed header.
    public var header: FrameHeader
    /// Whether the stored checksum matched the bytes (always true for frames in a scan's `frames`).
    public var checksumOK: Bool

    /// The frame's codec.
    public var codec: Codec { header.codec }
    /// Sequence number of the first record.
    public var firstSequence: UInt64 { header.firstSequence }
    /// Sequence number of the last record.
    public var lastSequence: UInt64 { header.lastSequence }
    /// Number of records.
    public var recordCount: Int { Int(header.recordCount) }
    /// Payload bytes on disk.
    public var storedLength: Int { Int(header.storedLength) }
    /// Payload bytes before compression.
    public var uncompressedLength: Int { Int(header.uncompressedLength) }
    /// Offset just past the frame's padding: where the next frame starts.
    public var endOffset: Int64 { offset + Int64(header.frameSize) }
}
