/// Read-only walk over a journal directory: scans every segment with ``SegmentReader`` and checks
/// what links them (contiguous sequence numbers, increasing segment ids). Takes no lock.
///
/// Recovery at open is this scan plus a decision: a torn tail in the last segment is cut, any other
/// problem stops the open with the scan's error and nothing is changed.
public enum JournalScanner {
    /// The segment file names in `directory`, in sequence order.
    public static func segmentFiles(in directory: String) throws(JournalError) -> [String] {
        let names = try Posix.listDirectory(directory)
        let segments = names.compactMap { name in JournalFormat.baseSequence(fromFileName: name).map { ($0, name) } }
        return segments.sorted { $0.0 < $1.0 }.map { directory + "/" + $0.1 }
    }

    /// Scans every segment in `directory`.
    ///
    /// - Throws: only when a file cannot be read; damage is reported in the result.
    /// - Parameter trustingSeals: take every segment but the last from its seal when it has a valid
    ///   one (`SegmentSeal`), reading only its header.
    public static func scan(directory: String, trustingSeals: Bool = false) throws(JournalError) -> JournalScan {
        let paths = try segmentFiles(in: directory)
        var result = JournalScan(directory: directory, segments: [], corruption: nil, tornTail: nil)
        var previous: SegmentScan?
        for (index, path) in paths.enumerated() {
            var segment: SegmentScan
            if trustingSeals && index < paths.count - 1, let sealed = try SegmentReader.sealedScan(path: path) {
                segment = sealed
            } else {
                segment = try SegmentReader.scan(path: path)
            }
            result.segments.append(segment)
            guard result.corruption == nil else { continue }
            let isLast = index == paths.count - 1
            if let header = segment.header, let previous, let previousHeader = previous.header,
                let previousLast = previous.lastSequence
            {
                if header.baseSequence != previousLast + 1 {
                    result.corruption = JournalError(
                        .corrupt,
                        "sequence gap between segments (expected base sequence \(previousLast + 1) after "
                            + "\(previous.path), found \(header.baseSequence))", path: path, offset: 24)
                    continue
                }
                if header.segmentID <= previousHeader.segmentID {
                    result.corruption = JournalError(
                        .corrupt,
                        "segment id does not increase (expected more than \(previousHeader.segmentID), "
                            + "found \(header.segmentID))", path: path, offset: 16)
                    continue
                }
            }
            if let problem = segment.problem {
                if isLast && segment.damageIsTornTail && segment.header != nil {
                    result.tornTail = problem
                } else if segment.damageIsTornTail {
                    var error = problem
                    error.message += " (a torn write is only possible in the last segment)"
                    result.corruption = error
                } else {
                    result.corruption = problem
                }
            }
            previous = segment
        }
        return result
    }
}
