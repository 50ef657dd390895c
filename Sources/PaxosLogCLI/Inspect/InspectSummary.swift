/// The summary `inspect` prints last: totals, per-codec figures, per-segment figures and problems.
struct InspectSummary: Encodable, Equatable {
    /// Always "summary", so a JSON-lines reader can tell it from the records before it.
    var type = "summary"
    /// Number of segment files.
    var segmentCount = 0
    /// Records in valid frames.
    var records = 0
    /// First and last sequence numbers held by valid frames; nil when there are none.
    var firstSequence: UInt64?
    var lastSequence: UInt64?
    /// Valid frames; one frame is one appended batch.
    var batches = 0
    /// Sum of the file sizes, preallocated space included.
    var bytesOnDisk: Int64 = 0
    /// Bytes in use: segment headers and valid frames (headers, payloads, padding).
    var bytesUsed: Int64 = 0
    /// Payload bytes as stored, after compression.
    var bytesStored = 0
    /// Payload bytes before compression.
    var bytesUncompressed = 0
    /// Figures per codec, in codec order, only codecs that occur.
    var codecs: [InspectCodecStats] = []
    /// Figures per segment, in log order.
    var segments: [InspectSegment] = []
    /// Every problem, in log order.
    var problems: [InspectProblem] = []
    /// The repairs the directory went through (its `REPAIRS` file), oldest first; absent when none.
    var repairs: [String]?
    /// `checksums` (crc32 of every frame) or `checksums+payloads` (also decompressed and decoded).
    var verified = "checksums"
    /// `ok`, `torn-tail` (only a torn tail, which is not damage) or `damaged`.
    var status = "ok"

    /// The first damage in log order: what the error line names.
    var firstDamage: InspectProblem? { problems.first { $0.kind == .damage } }
}
