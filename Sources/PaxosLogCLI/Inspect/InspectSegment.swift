/// What `inspect` reports about one segment file.
struct InspectSegment: Encodable, Equatable {
    /// The file name.
    var file: String
    /// The segment id from the header (nil when the header is damaged).
    var segmentID: UInt64?
    /// The base sequence number from the header, else from the file name.
    var baseSequence: UInt64?
    /// Valid frames.
    var frames: Int
    /// Records in the valid frames.
    var records: Int
    /// First and last sequence numbers held, nil when the segment holds none.
    var firstSequence: UInt64?
    var lastSequence: UInt64?
    /// Where the valid frames end: the bytes in use.
    var usedBytes: Int64
    /// The file size, preallocated space included.
    var fileSize: Int64
}
