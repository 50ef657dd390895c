#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Recovery at open: the ``JournalScanner`` verdict, plus the one change recovery may make —
/// cutting a torn tail off the last segment.
enum JournalRecovery {
    /// Scans `directory`, cuts a torn tail, builds the index and reopens the last segment.
    ///
    /// - Throws: the scan's corruption error unchanged, with nothing modified.
    static func recover(directory: String, options: JournalOptions) throws(JournalError) -> (
        PublishedState, WriterStart
    ) {
        let scan = try JournalScanner.scan(directory: directory, trustingSeals: options.trustsSealedSegments)
        if let corruption = scan.corruption { throw corruption }
        // A segment that never finished creation holds no acknowledged record.
        for name in try Posix.listDirectory(directory) where name.hasSuffix(JournalFormat.temporarySuffix) {
            try Posix.unlink(directory + "/" + name)
        }

        var index = JournalIndex()
        var nextSegmentID: UInt64 = 1
        for segment in scan.segments {
            guard let header = segment.header else { continue }
            nextSegmentID = max(nextSegmentID, header.segmentID + 1)
            if let seal = segment.seal {
                index.segments.append(SegmentIndex(path: segment.path, seal: seal))
                continue
            }
            index.segments.append(
                SegmentIndex(
                    path: segment.path, segmentID: header.segmentID, baseSequence: header.baseSequence,
                    frames: segment.frames.map {
                        FrameLocation(
                            offset: $0.offset, firstSequence: $0.firstSequence, recordCount: $0.header.recordCount)
                    }))
        }
        // Every segment but the last is sealed: keep samples of its frames only.
        for position in index.segments.indices.dropLast() {
            index.segments[position].makeSparse()
        }

        // Segments repair moved aside still own their ids: never hand those out again.
        for name in try Posix.listDirectory(directory) where name.contains(JournalFormat.segmentSuffix + ".broken") {
            if let id = brokenSegmentID(directory + "/" + name) { nextSegmentID = max(nextSegmentID, id + 1) }
        }

        var open: OpenSegment?
        if let last = scan.segments.last, let header = last.header {
            let fd = try Posix.open(last.path, O_RDWR)
            do {
                if scan.tornTail != nil {
                    try zero(fd, from: last.endOffset, to: last.dirtyEnd, path: last.path, syscalls: options.syscalls)
                }
            } catch {
                Posix.close(fd)
                throw error
            }
            open = OpenSegment(
                fd: fd, path: last.path, segmentID: header.segmentID, baseSequence: header.baseSequence,
                capacity: last.fileSize, endOffset: last.endOffset, isEmpty: last.frames.isEmpty)
        }
        let lastSequence = index.lastSequence
        let nextSequence = index.segments.last.map { $0.lastSequence + 1 } ?? 1
        let published = PublishedState(
            index: index, durableSequence: lastSequence, syncedSequence: lastSequence, lastSequence: lastSequence)
        var start = WriterStart(segment: open, nextSequence: nextSequence, nextSegmentID: nextSegmentID)
        start.findings.tornTail = scan.tornTail.map { "\($0)" }
        if let last = scan.segments.last, last.fileSize < Int64(options.segmentSize) {
            // Segments are preallocated to at least the segment size and never shrink.
            start.findings.truncatedSegment =
                "\(last.path) is \(last.fileSize) bytes, shorter than the \(options.segmentSize) it was preallocated to"
        }
        start.findings.missingSegments = missingSegments(directory: directory, scan: scan)
        if let reached = ReachMarker.recorded(in: directory), reached > lastSequence {
            start.findings.lostTail =
                "the journal ends at sequence \(lastSequence) but was durable through \(reached) "
                + "(recorded in \(directory)/\(ReachMarker.fileName)): synced records were lost"
        }
        return (published, start)
    }

    /// What HEAD says is missing: the newest segment it names, when no segment that new is present.
    private static func missingSegments(directory: String, scan: JournalScan) -> String? {
        let head: JournalHead?
        do {
            head = try JournalHead.read(in: directory)
        } catch {
            return "\(error)"
        }
        guard let head else { return nil }
        let newest = scan.segments.compactMap { $0.header?.segmentID }.max() ?? 0
        guard newest < head.segmentID else { return nil }
        return
            "\(JournalHead.path(in: directory)) names segment \(head.segmentID) (from sequence \(head.baseSequence)), "
            + "but the newest present is \(newest == 0 ? "none" : "segment \(newest)"): segments were deleted"
    }

    /// The segment id in the header of a `.broken` file, if its header is still readable.
    private static func brokenSegmentID(_ path: String) -> UInt64? {
        guard let fd = try? Posix.open(path, O_RDONLY) else { return nil }
        defer { Posix.close(fd) }
        guard let bytes = try? Posix.pread(fd, count: JournalFormat.segmentHeaderSize, at: 0, path: path) else {
            return nil
        }
        return (try? SegmentHeader.decode(bytes, path: path))?.segmentID
    }

    /// Overwrites `start..<end` with zeros and syncs, so no stale byte of a torn frame can ever be
    /// mistaken for part of a frame written later.
    static func zero(_ fd: Int32, from start: Int64, to end: Int64, path: String, syscalls: JournalSyscalls)
        throws(JournalError)
    {
        guard end > start else { return }
        let chunk = [UInt8](repeating: 0, count: 1 << 20)
        var position = start
        while position < end {
            let count = Int(min(Int64(chunk.count), end - position))
            try Posix.writeAll(fd, Array(chunk[0..<count]), at: position, path: path, syscalls: syscalls)
            position += Int64(count)
        }
        if case .failure(let error) = syscalls.fdatasync(fd) {
            throw JournalError(
                .fsyncFailed, "fdatasync after cutting the torn tail failed", path: path, errno: error.code)
        }
    }
}
