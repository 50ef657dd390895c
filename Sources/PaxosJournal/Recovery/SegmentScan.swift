/// The result of scanning one segment file: its header, its valid frames, and the first defect.
public struct SegmentScan: Sendable {
    /// The segment file.
    public var path: String
    /// The file's size (preallocated space included).
    public var fileSize: Int64
    /// The header, or nil when it is damaged (then `problem` says why).
    public var header: SegmentHeader?
    /// The valid frames, in file order, with contiguous sequence numbers starting at the base.
    public var frames: [FrameInfo]
    /// Where the valid frames end: the offset the next frame would be written at.
    public var endOffset: Int64
    /// The first defect in the file, nil if it is clean (valid frames, then only zeros).
    public var problem: JournalError?
    /// True when `problem` looks like a torn write: no valid frame exists at any later aligned
    /// offset. Only acceptable in the last segment.
    public var damageIsTornTail: Bool
    /// Offset just past the last nonzero byte at or after `endOffset` (equal to `endOffset` when
    /// the rest is zeros): the range recovery must zero when it cuts a torn tail.
    public var dirtyEnd: Int64
    /// The seal this scan was taken from instead of reading the frames (`frames` is then empty).
    var seal: SegmentSeal? = nil

    /// The base sequence number from the header, else from the file name.
    public var baseSequence: UInt64? {
        header?.baseSequence ?? JournalFormat.baseSequence(fromFileName: String(path.split(separator: "/").last ?? ""))
    }

    /// The last sequence number held (base - 1 when the segment holds no frames).
    public var lastSequence: UInt64? {
        if let seal { return seal.lastSequence }
        if let last = frames.last { return last.lastSequence }
        return header.map { $0.baseSequence - 1 }
    }
}
