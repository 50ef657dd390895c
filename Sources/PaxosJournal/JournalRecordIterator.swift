#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams records in sequence order, one frame in memory at a time, verifying every checksum.
///
/// It follows the index as the journal grows: `next()` returns nil at the durable end, and a later
/// call returns records appended since. Not thread-safe: use one iterator per task.
public struct JournalRecordIterator {
    private let journal: Journal
    private var nextSequence: UInt64
    private var buffered: [[UInt8]] = []
    private var bufferedFirst: UInt64 = 0
    private var file: ReadOnlyFile?

    init(journal: Journal, next: UInt64) {
        self.journal = journal
        self.nextSequence = next
    }

    /// The next record, or nil at the durable end of the journal.
    ///
    /// - Throws: `.notFound` if the next record was dropped by retention, `.corrupt` for a bad frame.
    public mutating func next() throws(JournalError) -> JournalRecord? {
        let position = nextSequence &- bufferedFirst
        if nextSequence >= bufferedFirst, position < UInt64(buffered.count) {
            nextSequence += 1
            return JournalRecord(sequence: nextSequence - 1, bytes: buffered[Int(position)])
        }
        if journal.isPastEnd(nextSequence) { return nil }
        let (path, frame) = try journal.locate(nextSequence)
        if file?.path != path {
            file = ReadOnlyFile(fd: try Posix.open(path, O_RDONLY), path: path)
        }
        guard let file else { return nil }
        buffered = try FrameReader.records(fd: file.fd, path: path, location: frame)
        bufferedFirst = frame.firstSequence
        return try next()
    }
}
