import PaxosCompression

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Creates a segment so that it appears complete or not at all: header written to a temporary
/// name, space preallocated, file synced, renamed into place, directory synced.
///
/// Preallocation is where a full disk shows up, before any frame of a batch is written.
enum SegmentCreator {
    /// Creates and returns the open segment, or throws `.noSpace`, `.io` or `.fsyncFailed`
    /// (the last one is final for the journal).
    static func create(
        directory: String, segmentID: UInt64, baseSequence: UInt64, size: Int64, codec: Codec,
        syscalls: JournalSyscalls
    ) throws(JournalError) -> OpenSegment {
        let name = JournalFormat.segmentFileName(baseSequence: baseSequence)
        let path = directory + "/" + name
        let temporary = directory + "/" + name + ".tmp"
        try Posix.unlink(temporary)
        let fd = try Posix.open(temporary, O_RDWR | O_CREAT | O_TRUNC)
        var renamed = false
        do throws(JournalError) {
            let header = SegmentHeader(segmentID: segmentID, baseSequence: baseSequence, defaultCodec: codec)
            let written = header.encoded().withUnsafeBytes { syscalls.pwrite(fd, $0, 0) }
            switch written {
            case .success(let count) where count == JournalFormat.segmentHeaderSize:
                break
            case .success(let count):
                throw JournalError(.noSpace, "short write of a new segment header (\(count) bytes)", path: temporary)
            case .failure(let error):
                throw JournalError(
                    error.code == ENOSPC ? .noSpace : .io, "cannot write the new segment header", path: temporary,
                    errno: error.code)
            }
            if case .failure(let error) = syscalls.fallocate(fd, 0, size) {
                if error.code == ENOSPC {
                    throw JournalError(
                        .noSpace,
                        "disk full: cannot preallocate \(size) bytes for a new segment; free space or lower the "
                            + "segment size, the journal stays readable", path: path, errno: error.code)
                }
                throw JournalError(.io, "cannot preallocate \(size) bytes", path: temporary, errno: error.code)
            }
            if case .failure(let error) = syscalls.fsync(fd) {
                throw JournalError(.fsyncFailed, "fsync of a new segment failed", path: temporary, errno: error.code)
            }
            try Posix.rename(temporary, to: path)
            renamed = true
            try Posix.syncDirectory(directory, syscalls: syscalls)
            // Only once the segment is surely in place: HEAD never names a segment that may vanish.
            try JournalHead(segmentID: segmentID, baseSequence: baseSequence).record(in: directory)
        } catch {
            Posix.close(fd)
            if !renamed { try? Posix.unlink(temporary) }
            throw error
        }
        return OpenSegment(
            fd: fd, path: path, segmentID: segmentID, baseSequence: baseSequence, capacity: size,
            endOffset: Int64(JournalFormat.segmentHeaderSize), isEmpty: true)
    }
}
