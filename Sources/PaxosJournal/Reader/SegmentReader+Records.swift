#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension SegmentReader {
    /// Decodes the records of frames a scan of `path` found, reading the file without any lock.
    ///
    /// The scan only verifies checksums; this also decompresses each payload and checks that it
    /// splits into exactly the record count the header claims, which is what `inspect --verify`
    /// and `--records` need. Each frame's outcome goes to `body`, so one undecodable frame does not
    /// hide the others.
    ///
    /// - Throws: only when the file cannot be opened.
    public static func readRecords(
        path: String, frames: [FrameInfo], _ body: (FrameInfo, Result<[[UInt8]], JournalError>) -> Void
    ) throws(JournalError) {
        let fd = try Posix.open(path, O_RDONLY)
        defer { Posix.close(fd) }
        for frame in frames {
            let location = FrameLocation(
                offset: frame.offset, firstSequence: frame.firstSequence, recordCount: frame.header.recordCount)
            do {
                body(frame, .success(try FrameReader.records(fd: fd, path: path, location: location)))
            } catch {
                body(frame, .failure(error))
            }
        }
    }
}
