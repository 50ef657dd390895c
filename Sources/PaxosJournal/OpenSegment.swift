/// The segment the writer appends to: owned by the writer thread alone.
struct OpenSegment: Sendable {
    /// Descriptor opened read-write.
    var fd: Int32
    /// The segment file.
    var path: String
    /// Its never-reused id.
    var segmentID: UInt64
    /// Its first sequence number.
    var baseSequence: UInt64
    /// The file's preallocated size: frames must end at or before it.
    var capacity: Int64
    /// Where the next frame goes.
    var endOffset: Int64
    /// Whether any frame was written to it (an empty segment may be replaced by a bigger one).
    var isEmpty: Bool
}
