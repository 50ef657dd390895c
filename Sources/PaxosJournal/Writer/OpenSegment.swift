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
    /// Pages before this offset were dropped from the page cache (see
    /// ``JournalOptions/keepsWrittenPagesCached``); always a multiple of the page size.
    var cacheDroppedUpTo: Int64 = 0

    /// The whole pages that are written and synced but not yet dropped: from the last drop up to
    /// the page holding `endOffset`, which the next frame may still write into (dropping it would
    /// make that write read it back from disk first). Empty when no page was completed.
    func completedPages(pageSize: Int64) -> Range<Int64> {
        let end = endOffset / pageSize * pageSize
        return cacheDroppedUpTo..<max(cacheDroppedUpTo, end)
    }
}
