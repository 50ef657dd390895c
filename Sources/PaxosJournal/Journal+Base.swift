extension Journal {
    /// Creates an empty journal in `directory` (which must hold no segment) whose first record
    /// will be `firstSequence`: for a log continued from a point whose earlier records live
    /// elsewhere (a log store restarted from a base), so sequence numbers keep their meaning.
    public static func createEmpty(directory: String, firstSequence: UInt64) throws(JournalError) {
        try Posix.makeDirectory(directory)
        let lock = try JournalLock.acquire(directory: directory)
        defer { lock.release() }
        let existing = try Posix.listDirectory(directory).filter { JournalFormat.baseSequence(fromFileName: $0) != nil }
        guard existing.isEmpty else {
            throw JournalError(.invalidArgument, "already holds segments \(existing)", path: directory)
        }
        let created = try SegmentCreator.create(
            directory: directory, segmentID: 1, baseSequence: firstSequence, size: Int64(4096), codec: .none,
            syscalls: .system)
        Posix.close(created.fd)
        try Posix.syncDirectory(directory, syscalls: .system)
    }

    /// The first sequence number of the segment that holds `sequence`, or nil when no segment does.
    public func segmentStart(holding sequence: UInt64) -> UInt64? {
        core.published.withLock { state in
            state.index.segments.last { $0.baseSequence <= sequence && sequence <= $0.lastSequence }?.baseSequence
        }
    }
}

extension Journal {
    /// The segment files, oldest first, with the first sequence number of each.
    public var segmentFiles: [(firstSequence: UInt64, path: String)] {
        core.published.withLock { state in state.index.segments.map { ($0.baseSequence, $0.path) } }
    }
}
