#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Read-only walk over one segment file, verifying every frame's checksum. Takes no lock, so the
/// `inspect` tool can use it on a live or damaged journal; recovery uses it too.
public enum SegmentReader {
    /// How much of the file is read at a time when looking for zeros or stray frames.
    static let windowSize = 1 << 20

    /// The segment at `path` as its seal describes it, reading only its header, or nil when it has
    /// no seal or the seal does not match the file (then it must be scanned).
    static func sealedScan(path: String) throws(JournalError) -> SegmentScan? {
        guard let seal = SegmentSeal.read(for: path) else { return nil }
        let fd = try Posix.open(path, O_RDONLY)
        defer { Posix.close(fd) }
        let size = try Posix.fileSize(fd, path: path)
        let headerBytes = try Posix.pread(fd, count: JournalFormat.segmentHeaderSize, at: 0, path: path)
        guard size == seal.fileSize, let header = try? SegmentHeader.decode(headerBytes, path: path),
            header.segmentID == seal.segmentID, header.baseSequence == seal.baseSequence,
            JournalFormat.baseSequence(fromFileName: String(path.split(separator: "/").last ?? "")) == seal.baseSequence
        else { return nil }
        var scan = SegmentScan(
            path: path, fileSize: size, header: header, frames: [], endOffset: seal.endOffset, problem: nil,
            damageIsTornTail: false, dirtyEnd: seal.endOffset)
        scan.seal = seal
        return scan
    }

    /// Scans the segment at `path`.
    ///
    /// Damage is reported in the result, not thrown; only failing to read the file throws.
    public static func scan(path: String) throws(JournalError) -> SegmentScan {
        let fd = try Posix.open(path, O_RDONLY)
        defer { Posix.close(fd) }
        let size = try Posix.fileSize(fd, path: path)
        var scan = SegmentScan(
            path: path, fileSize: size, header: nil, frames: [], endOffset: Int64(JournalFormat.segmentHeaderSize),
            problem: nil, damageIsTornTail: false, dirtyEnd: Int64(JournalFormat.segmentHeaderSize))
        let headerBytes = try Posix.pread(fd, count: JournalFormat.segmentHeaderSize, at: 0, path: path)
        let header: SegmentHeader
        do {
            header = try SegmentHeader.decode(headerBytes, path: path)
        } catch {
            scan.endOffset = 0
            scan.problem = error
            return scan
        }
        scan.header = header
        let fileName = String(path.split(separator: "/").last ?? "")
        if let named = JournalFormat.baseSequence(fromFileName: fileName), named != header.baseSequence {
            scan.problem = JournalError(
                .corrupt,
                "segment base sequence does not match its file name (expected \(named), found \(header.baseSequence))",
                path: path, offset: 24)
            return scan
        }

        var offset = Int64(JournalFormat.segmentHeaderSize)
        var expected = header.baseSequence
        while offset < size {
            let headerChunk = try Posix.pread(
                fd, count: Int(min(Int64(JournalFormat.frameHeaderSize), size - offset)), at: offset, path: path)
            if headerChunk.allSatisfy({ $0 == 0 }) {
                // Zeros where a frame header would be: the end of the frames, if only zeros follow.
                guard let stray = try firstNonZero(fd, from: offset, size: size, path: path) else { break }
                let defect = FrameDefect(
                    "unexpected data after the last frame (expected zeros, found a nonzero byte at offset \(stray))")
                try classify(defect, at: offset, fd: fd, size: size, into: &scan)
                return scan
            }
            switch validateFrame(fd, at: offset, size: size, path: path) {
            case .failure(let defect):
                try classify(defect, at: offset, fd: fd, size: size, into: &scan)
                return scan
            case .success(let frame):
                guard frame.firstSequence == expected else {
                    scan.problem = JournalError(
                        .corrupt,
                        "sequence gap (expected frame starting at sequence \(expected), found \(frame.firstSequence))",
                        path: path, offset: offset)
                    return scan
                }
                scan.frames.append(frame)
                expected = frame.lastSequence + 1
                offset = frame.endOffset
                scan.endOffset = offset
                scan.dirtyEnd = offset
            }
        }
        return scan
    }

    /// Records a defect at `offset` and decides whether it is a torn tail (no valid frame later).
    private static func classify(
        _ defect: FrameDefect, at offset: Int64, fd: Int32, size: Int64, into scan: inout SegmentScan
    ) throws(JournalError) {
        scan.endOffset = offset
        scan.dirtyEnd = try lastNonZeroEnd(fd, from: offset, size: size, path: scan.path) ?? offset
        if let later = try laterValidFrame(fd, after: offset, size: size, path: scan.path) {
            scan.problem = JournalError(
                .corrupt, defect.message + "; a valid frame follows at offset \(later), so this is not a torn tail",
                path: scan.path, offset: offset)
            scan.damageIsTornTail = false
        } else {
            scan.problem = JournalError(.corrupt, defect.message, path: scan.path, offset: offset)
            scan.damageIsTornTail = true
        }
    }

    /// Reads and verifies the frame at `offset`: plausible header, fits in the file, checksum, padding.
    static func validateFrame(_ fd: Int32, at offset: Int64, size: Int64, path: String) -> Result<
        FrameInfo, FrameDefect
    > {
        let remaining = size - offset
        guard remaining >= Int64(JournalFormat.frameHeaderSize) else {
            return .failure(FrameDefect("frame header truncated (expected 32 bytes, found \(remaining))"))
        }
        let bytes: [UInt8]
        do {
            bytes = try Posix.pread(fd, count: JournalFormat.frameHeaderSize, at: offset, path: path)
        } catch {
            return .failure(FrameDefect(error.description))
        }
        let header: FrameHeader
        switch FrameHeader.parse(bytes[...]) {
        case .failure(let defect): return .failure(defect)
        case .success(let parsed): header = parsed
        }
        guard Int64(header.frameSize) <= remaining else {
            return .failure(
                FrameDefect(
                    "frame runs past the end of the file (needs \(header.frameSize) bytes, \(remaining) remain)"))
        }
        let body: [UInt8]
        do {
            body = try Posix.pread(
                fd, count: header.frameSize - JournalFormat.frameHeaderSize,
                at: offset + Int64(JournalFormat.frameHeaderSize), path: path)
        } catch {
            return .failure(FrameDefect(error.description))
        }
        return verify(header, body: body).map { FrameInfo(offset: offset, header: header, checksumOK: true) }
    }

    /// Checks the checksum over header and stored payload, and that the padding is zero.
    static func verify(_ header: FrameHeader, body: [UInt8]) -> Result<Void, FrameDefect> {
        let stored = Int(header.storedLength)
        guard body.count >= stored else {
            return .failure(FrameDefect("frame payload truncated (expected \(stored) bytes, found \(body.count))"))
        }
        let computed = body.withUnsafeBytes {
            header.computeChecksum(storedPayload: UnsafeRawBufferPointer(rebasing: $0[0..<stored]))
        }
        guard computed == header.checksum else {
            return .failure(
                FrameDefect("frame checksum mismatch (expected \(hex(computed)), found \(hex(header.checksum)))"))
        }
        guard body[stored...].allSatisfy({ $0 == 0 }) else {
            return .failure(FrameDefect("nonzero frame padding (expected zeros after the payload)"))
        }
        return .success(())
    }

    /// Offset of the first nonzero byte at or after `start`, or nil if the rest of the file is zeros.
    static func firstNonZero(_ fd: Int32, from start: Int64, size: Int64, path: String) throws(JournalError) -> Int64? {
        var position = start
        while position < size {
            let chunk = try Posix.pread(
                fd, count: Int(min(Int64(windowSize), size - position)), at: position, path: path)
            if chunk.isEmpty { return nil }
            if let index = ZeroBytes.firstNonZero(in: chunk) { return position + Int64(index) }
            position += Int64(chunk.count)
        }
        return nil
    }

    /// Offset just past the last nonzero byte at or after `start`, or nil if there is none.
    static func lastNonZeroEnd(_ fd: Int32, from start: Int64, size: Int64, path: String) throws(JournalError) -> Int64?
    {
        var position = start
        var found: Int64?
        while position < size {
            let chunk = try Posix.pread(
                fd, count: Int(min(Int64(windowSize), size - position)), at: position, path: path)
            if chunk.isEmpty { break }
            if let index = ZeroBytes.lastNonZero(in: chunk) { found = position + Int64(index) + 1 }
            position += Int64(chunk.count)
        }
        return found
    }

    /// The first aligned offset after `offset` holding a frame with a valid checksum, if any.
    ///
    /// This is what separates a torn tail (nothing valid after the damage) from corruption in the
    /// middle of the log: a crash can only tear the last frame written.
    static func laterValidFrame(_ fd: Int32, after offset: Int64, size: Int64, path: String) throws(JournalError)
        -> Int64?
    {
        let alignment = Int64(JournalFormat.frameAlignment)
        let headerSize = Int64(JournalFormat.frameHeaderSize)
        var windowStart = offset + alignment
        while windowStart + headerSize <= size {
            let window = try Posix.pread(
                fd, count: Int(min(Int64(windowSize), size - windowStart)), at: windowStart, path: path)
            var index = 0
            // By default the whole window is ruled out; a candidate too close to its end resumes there.
            var resume = windowStart + Int64(window.count)
            // Every frame starts with its type byte, so jump from one such byte to the next (memchr)
            // instead of testing every aligned offset of what is mostly zeroed space.
            while let hit = ZeroBytes.firstIndex(of: FrameType.full.rawValue, in: window, from: index) {
                let absolute = windowStart + Int64(hit)
                let aligned = (absolute + alignment - 1) / alignment * alignment
                index = Int(aligned - windowStart)
                if aligned != absolute { continue }
                if index + JournalFormat.frameHeaderSize > window.count {
                    resume = aligned
                    break
                }
                if case .success = FrameHeader.parse(window[index..<(index + JournalFormat.frameHeaderSize)]),
                    case .success = validateFrame(fd, at: aligned, size: size, path: path)
                {
                    return aligned
                }
                index += JournalFormat.frameAlignment
            }
            windowStart = (resume + alignment - 1) / alignment * alignment
        }
        return nil
    }
}
