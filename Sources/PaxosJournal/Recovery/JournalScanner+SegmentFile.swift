extension JournalScanner {
    /// Scans one segment file on its own, judged as the last segment of a journal would be: damage
    /// with no valid frame after it is a torn tail, anything else is corruption. For `inspect` on
    /// a single file; takes no lock.
    ///
    /// - Throws: only when the file cannot be read; damage is reported in the result.
    public static func scan(segmentFile path: String) throws(JournalError) -> JournalScan {
        let segment = try SegmentReader.scan(path: path)
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        var scan = JournalScan(directory: directory, segments: [segment], corruption: nil, tornTail: nil)
        if let problem = segment.problem {
            if segment.damageIsTornTail && segment.header != nil {
                scan.tornTail = problem
            } else {
                scan.corruption = problem
            }
        }
        return scan
    }
}
