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
    /// The frame last read from `file`.
    private var lastFrame: FrameLocation?

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
        let (path, found, exact) = try journal.locate(nextSequence)
        if file?.path != path {
            file = ReadOnlyFile(fd: try Posix.open(path, O_RDONLY), path: path)
            lastFrame = nil
        }
        guard let file else { return nil }
        var frame = found
        if !exact {
            // A sealed segment: read headers forward, from the frame just read when it is past the
            // sample (reading in order, that is one header more per frame).
            let start = lastFrame.map { $0.offset > found.offset ? $0 : found } ?? found
            frame = try FrameReader.walk(to: nextSequence, from: start, fd: file.fd, path: path)
        }
        buffered = try FrameReader.records(fd: file.fd, path: path, location: frame)
        bufferedFirst = frame.firstSequence
        lastFrame = frame
        return try next()
    }
}
