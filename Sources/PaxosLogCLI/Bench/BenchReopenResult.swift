/// How fast a big journal reopens: the recovery scan that verifies every frame's checksum.
struct BenchReopenResult: Encodable, Sendable {
    /// Bytes in the journal's segment files that are in use (headers and frames).
    var bytes: Int64
    /// Segment files.
    var segments: Int
    /// Records in the journal.
    var records: UInt64
    /// Seconds spent writing it (not part of the figure; for context).
    var writeSeconds: Double
    /// `Journal.open` after the segment files were evicted from the page cache (posix_fadvise DONTNEED).
    var coldSeconds: Double
    var coldMegabytesPerSecond: Double
    /// `Journal.open` again right after, with the files cached: the CPU cost of scanning.
    var warmSeconds: Double
    var warmMegabytesPerSecond: Double
}
