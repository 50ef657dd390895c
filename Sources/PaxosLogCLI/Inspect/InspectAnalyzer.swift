import PaxosCompression
import PaxosJournal

/// Turns the read-only scanner's view of a journal directory or one segment file into what
/// `inspect` prints. Takes no lock and changes nothing, so it works on a live or damaged journal.
struct InspectAnalyzer {
    /// The summary, filled in by ``analyze(path:isDirectory:decode:onRecord:)``.
    private(set) var summary = InspectSummary()

    /// Scans `path` and fills in ``summary``.
    ///
    /// - Parameters:
    ///   - decode: also decompress every frame and split it into records (`--verify`, `--records`).
    ///   - onRecord: called for each record in log order when `decode` is set.
    mutating func analyze(
        path: String, isDirectory: Bool, decode: Bool, onRecord: (InspectRecord) -> Void
    ) throws(JournalError) {
        let scan: JournalScan
        if isDirectory {
            scan = try JournalScanner.scan(directory: path)
        } else {
            scan = try JournalScanner.scan(segmentFile: path)
        }
        let prefix = isDirectory ? path + "/" : Self.parent(of: path)
        let directory = isDirectory ? path : Self.parent(of: path)
        let repairs = RepairHistory.entries(in: directory.isEmpty ? "." : directory)
        summary.repairs = repairs.isEmpty ? nil : repairs
        summary.verified = decode ? "checksums+payloads" : "checksums"
        summary.segmentCount = scan.segments.count
        var codecs: [Codec: InspectCodecStats] = [:]
        for (index, segment) in scan.segments.enumerated() {
            let file = Self.fileName(segment.path)
            if let corruption = scan.corruption, corruption.path == segment.path,
                corruption.offset != segment.problem?.offset || segment.problem == nil
            {
                // A problem between segments (a gap, a reused id): the scanner reports it on the later one.
                summary.problems.append(Self.problem(corruption, file: file, kind: .damage, prefix: prefix))
            }
            if let problem = segment.problem {
                let isTorn = index == scan.segments.count - 1 && segment.damageIsTornTail && segment.header != nil
                let reported =
                    scan.corruption.flatMap { $0.path == problem.path && $0.offset == problem.offset ? $0 : nil }
                    ?? problem
                summary.problems.append(
                    Self.problem(reported, file: file, kind: isTorn ? .tornTail : .damage, prefix: prefix))
            }
            summary.bytesOnDisk += segment.fileSize
            summary.bytesUsed += segment.header == nil ? 0 : segment.endOffset
            summary.segments.append(
                InspectSegment(
                    file: file, segmentID: segment.header?.segmentID, baseSequence: segment.baseSequence,
                    frames: segment.frames.count, records: segment.frames.reduce(0) { $0 + $1.recordCount },
                    firstSequence: segment.frames.first?.firstSequence, lastSequence: segment.frames.last?.lastSequence,
                    usedBytes: segment.header == nil ? 0 : segment.endOffset, fileSize: segment.fileSize))
            for frame in segment.frames {
                summary.batches += 1
                summary.records += frame.recordCount
                summary.bytesStored += frame.storedLength
                summary.bytesUncompressed += frame.uncompressedLength
                summary.firstSequence = summary.firstSequence ?? frame.firstSequence
                summary.lastSequence = frame.lastSequence
                var stats = codecs[frame.codec] ?? InspectCodecStats(codec: frame.codec.description)
                stats.frames += 1
                stats.records += frame.recordCount
                stats.storedBytes += frame.storedLength
                stats.uncompressedBytes += frame.uncompressedLength
                codecs[frame.codec] = stats
            }
            if decode, segment.header != nil, !segment.frames.isEmpty {
                try decodeFrames(of: segment, file: file, prefix: prefix, onRecord: onRecord)
            }
        }
        summary.codecs = Codec.allCases.compactMap { codecs[$0] }
        // Log order: by segment, then by offset (an undecodable frame precedes a later torn tail).
        let order = Dictionary(summary.segments.enumerated().map { ($1.file, $0) }, uniquingKeysWith: { a, _ in a })
        summary.problems = summary.problems.enumerated().sorted { left, right in
            let l = (order[left.element.file] ?? 0, left.element.offset, left.offset)
            let r = (order[right.element.file] ?? 0, right.element.offset, right.offset)
            return l < r
        }.map(\.element)
        if summary.firstDamage != nil {
            summary.status = "damaged"
        } else if !summary.problems.isEmpty {
            summary.status = "torn-tail"
        }
    }

    /// Decompresses each valid frame of `segment`, reporting records and undecodable frames.
    private mutating func decodeFrames(
        of segment: SegmentScan, file: String, prefix: String, onRecord: (InspectRecord) -> Void
    ) throws(JournalError) {
        var failures: [InspectProblem] = []
        try SegmentReader.readRecords(path: segment.path, frames: segment.frames) { frame, result in
            switch result {
            case .success(let records):
                for (index, record) in records.enumerated() {
                    onRecord(
                        InspectRecord(
                            sequence: frame.firstSequence + UInt64(index), file: file, offset: frame.offset,
                            size: record.count, codec: frame.codec.description, checksum: "ok", payload: "ok",
                            preview: InspectPreview.render(record)))
                }
            case .failure(let error):
                failures.append(Self.problem(error, file: file, kind: .damage, prefix: prefix))
                for sequence in frame.firstSequence...frame.lastSequence {
                    onRecord(
                        InspectRecord(
                            sequence: sequence, file: file, offset: frame.offset, size: nil,
                            codec: frame.codec.description, checksum: "ok", payload: "undecodable", preview: ""))
                }
            }
        }
        summary.problems += failures
    }

    /// An ``InspectProblem`` from a scanner error, with the inspected path's prefix removed from
    /// the message so output does not depend on where the journal lives.
    private static func problem(_ error: JournalError, file: String, kind: InspectProblem.Kind, prefix: String)
        -> InspectProblem
    {
        let message = prefix.isEmpty ? error.message : error.message.replacingAll(prefix, with: "")
        return InspectProblem(file: file, offset: error.offset ?? 0, kind: kind, message: message)
    }

    /// The last path component.
    static func fileName(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }

    /// Everything up to and including the last `/`, or "" for a bare file name.
    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }
}

extension String {
    /// `self` with every occurrence of `target` replaced (without Foundation, to keep this pure).
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return self.split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
