import PaxosCompression

/// Reads one indexed frame back with pread and decodes its records, verifying the checksum on
/// every read (not only at recovery) so damage that appears later is never returned as data.
enum FrameReader {
    /// The frame holding `sequence`, found by reading frame headers forward from `start` (a
    /// sampled frame of a sealed segment at or before it). Reads at most `limit` headers.
    static func walk(
        to sequence: UInt64, from start: FrameLocation, fd: Int32, path: String,
        limit: Int = SegmentIndex.sparseStride + 1
    ) throws(JournalError) -> FrameLocation {
        var offset = start.offset
        for _ in 0..<limit {
            let headerBytes = try Posix.pread(fd, count: JournalFormat.frameHeaderSize, at: offset, path: path)
            let header: FrameHeader
            switch FrameHeader.parse(headerBytes[...]) {
            case .failure(let defect): throw JournalError(.corrupt, defect.message, path: path, offset: offset)
            case .success(let parsed): header = parsed
            }
            if header.lastSequence >= sequence {
                guard header.firstSequence <= sequence else { break }
                return FrameLocation(
                    offset: offset, firstSequence: header.firstSequence, recordCount: header.recordCount)
            }
            offset += Int64(header.frameSize)
        }
        throw JournalError(
            .corrupt, "no frame holds sequence \(sequence) after the indexed frame at offset \(start.offset)",
            path: path, offset: offset)
    }

    /// The records of the frame at `location` in the open file `fd`.
    static func records(fd: Int32, path: String, location: FrameLocation) throws(JournalError) -> [[UInt8]] {
        let headerBytes = try Posix.pread(fd, count: JournalFormat.frameHeaderSize, at: location.offset, path: path)
        let header: FrameHeader
        switch FrameHeader.parse(headerBytes[...]) {
        case .failure(let defect): throw JournalError(.corrupt, defect.message, path: path, offset: location.offset)
        case .success(let parsed): header = parsed
        }
        guard header.firstSequence == location.firstSequence, header.recordCount == location.recordCount else {
            throw JournalError(
                .corrupt,
                "frame changed since it was indexed (expected sequences \(location.firstSequence)..."
                    + "\(location.lastSequence), found \(header.firstSequence)...\(header.lastSequence))",
                path: path, offset: location.offset)
        }
        let body = try Posix.pread(
            fd, count: header.frameSize - JournalFormat.frameHeaderSize,
            at: location.offset + Int64(JournalFormat.frameHeaderSize), path: path)
        if case .failure(let defect) = SegmentReader.verify(header, body: body) {
            throw JournalError(.corrupt, defect.message, path: path, offset: location.offset)
        }
        let stored = body[0..<Int(header.storedLength)]
        let payload: [UInt8]
        do {
            payload = try BlockCompressor.decompress(
                stored, codec: header.codec, decompressedCount: Int(header.uncompressedLength))
        } catch {
            throw JournalError(.corrupt, "cannot decode frame payload: \(error)", path: path, offset: location.offset)
        }
        switch RecordPayload.decode(payload, count: Int(header.recordCount)) {
        case .failure(let defect): throw JournalError(.corrupt, defect.message, path: path, offset: location.offset)
        case .success(let records): return records
        }
    }
}
