#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Journal {
    /// Cuts the journal at its first damage so it can be opened again, keeping evidence.
    ///
    /// The damaged segment is copied to `<name>.broken` and truncated just before the damage (or
    /// moved aside whole when its header is bad or it does not follow its predecessor); every later
    /// segment is moved aside as `.broken`. Records after the damage are lost from the journal (they
    /// remain in the `.broken` files). Takes the journal's lock, so the journal must not be open.
    public static func repair(directory: String) throws(JournalError) -> RepairReport {
        let lock = try JournalLock.acquire(directory: directory)
        defer { lock.release() }
        let scan = try JournalScanner.scan(directory: directory)
        var report = RepairReport()
        report.lastSequence = scan.lastSequence
        guard let damage = scan.corruption,
            let damagedIndex = scan.segments.firstIndex(where: { $0.path == damage.path })
        else {
            return report
        }
        report.damage = damage
        // A seal describes its segment as it was: the cut one will no longer match it, and a moved
        // one's could be taken for a later segment of the same name. They go first (durably), so
        // that a crash in the middle of the repair never leaves a seal over a changed segment.
        for segment in scan.segments[damagedIndex...] {
            try Posix.unlink(SegmentSeal.path(of: segment.path))
        }
        try Posix.syncDirectory(directory, syscalls: .system)
        let damaged = scan.segments[damagedIndex]
        let frameLevel = damaged.header != nil && (damage.offset ?? 0) >= Int64(JournalFormat.segmentHeaderSize)
        var firstMoved = damagedIndex
        if frameLevel {
            let copy = try brokenName(for: damaged.path)
            try copyFile(damaged.path, to: copy)
            report.brokenFiles.append(copy)
            let fd = try Posix.open(damaged.path, O_RDWR)
            defer { Posix.close(fd) }
            try Posix.truncate(fd, to: damaged.endOffset, path: damaged.path)
            if case .failure(let error) = JournalSyscalls.system.fsync(fd) {
                throw JournalError(.fsyncFailed, "fsync after cutting failed", path: damaged.path, errno: error.code)
            }
            report.cut = (damaged.path, damaged.endOffset)
            firstMoved = damagedIndex + 1
        }
        for segment in scan.segments[firstMoved...] {
            let target = try brokenName(for: segment.path)
            try Posix.rename(segment.path, to: target)
            report.brokenFiles.append(target)
        }
        try Posix.syncDirectory(directory, syscalls: .system)

        let kept = scan.segments[..<firstMoved]
        report.lastSequence = kept.last?.lastSequence ?? 0
        if kept.isEmpty, let base = damaged.baseSequence, base > 1 {
            // Keep numbering where it was: an empty journal would otherwise restart at 1 and reuse
            // sequence numbers that readers may already have seen.
            let largestID = scan.segments.compactMap { $0.header?.segmentID }.max() ?? 0
            let created = try SegmentCreator.create(
                directory: directory, segmentID: largestID + 1, baseSequence: base, size: Int64(4096), codec: .none,
                syscalls: .system)
            Posix.close(created.fd)
            report.lastSequence = base - 1
        }
        report.lastSequenceBefore = scan.segments.compactMap(\.lastSequence).max() ?? 0
        RepairHistory.record(report, in: directory)
        return report
    }

    /// `<path>.broken`, or `<path>.broken.N` if that exists already.
    private static func brokenName(for path: String) throws(JournalError) -> String {
        var candidate = path + ".broken"
        var counter = 1
        while Posix.exists(candidate) {
            candidate = path + ".broken.\(counter)"
            counter += 1
        }
        return candidate
    }

    /// Copies `source` to `destination` and syncs the copy.
    private static func copyFile(_ source: String, to destination: String) throws(JournalError) {
        let input = try Posix.open(source, O_RDONLY)
        defer { Posix.close(input) }
        let output = try Posix.open(destination, O_WRONLY | O_CREAT | O_EXCL)
        defer { Posix.close(output) }
        var offset: Int64 = 0
        while true {
            let chunk = try Posix.pread(input, count: 1 << 20, at: offset, path: source)
            if chunk.isEmpty { break }
            try Posix.writeAll(output, chunk, at: offset, path: destination, syscalls: .system)
            offset += Int64(chunk.count)
        }
        if case .failure(let error) = JournalSyscalls.system.fsync(output) {
            throw JournalError(.fsyncFailed, "fsync of the copy failed", path: destination, errno: error.code)
        }
    }
}
