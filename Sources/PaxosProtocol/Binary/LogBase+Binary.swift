extension ByteWriter {
    /// A log base: slot, last index, first index, the de-duplication table, then the membership
    /// when it changed (bases written before memberships could change end after the table).
    public mutating func write(_ base: LogBase) {
        write(base.slot)
        write(base.lastIndex)
        write(base.firstIndex)
        write(base.dedup)
        if let membership = base.membership { write(membership) }
    }

    /// The de-duplication table: a session count, then per session its id, highest sequence, last
    /// index and (sequence, index) pairs.
    public mutating func write(_ sessions: [DedupSessionSnapshot]) {
        write(UInt32(sessions.count))
        for session in sessions {
            write(session.session)
            write(session.highest)
            write(session.lastIndex)
            write(UInt32(session.sequences.count))
            for (sequence, index) in zip(session.sequences, session.indexes) {
                write(sequence)
                write(index)
            }
        }
    }
}

extension ByteReader {
    /// Reads what `ByteWriter.write(_: LogBase)` wrote, checking that its indexes fit together. A
    /// base always ends the bytes it is read from (a message, a record, a file): whatever follows
    /// its table is its membership.
    public mutating func readLogBase() throws(WireDecodingError) -> LogBase {
        let start = offset
        let slot: Slot = try read()
        let lastIndex: UInt64 = try read()
        let firstIndex: UInt64 = try read()
        guard slot < ProtocolLimits.slotsAndBallots, lastIndex < ProtocolLimits.slotsAndBallots, firstIndex >= 1,
            firstIndex <= lastIndex + 1
        else {
            throw WireDecodingError(
                offset: start, message: "log base at slot \(slot): first index \(firstIndex), last \(lastIndex)")
        }
        let dedup = try readDedupSessions()
        let membership = remaining > 0 ? try readMembership() : nil
        return LogBase(slot: slot, lastIndex: lastIndex, firstIndex: firstIndex, dedup: dedup, membership: membership)
    }

    /// Reads what `ByteWriter.write(_: [DedupSessionSnapshot])` wrote.
    public mutating func readDedupSessions() throws(WireDecodingError) -> [DedupSessionSnapshot] {
        let sessionCount = try readCount(minimumElementSize: 28)
        var sessions: [DedupSessionSnapshot] = []
        sessions.reserveCapacity(sessionCount)
        for _ in 0..<sessionCount {
            let session: UInt64 = try read()
            let highest: UInt64 = try read()
            let lastIndex: UInt64 = try read()
            let keyCount = try readCount(minimumElementSize: 16)
            var sequences: [UInt64] = []
            var indexes: [UInt64] = []
            sequences.reserveCapacity(keyCount)
            indexes.reserveCapacity(keyCount)
            for _ in 0..<keyCount {
                sequences.append(try read())
                indexes.append(try read())
            }
            sessions.append(
                DedupSessionSnapshot(
                    session: session, highest: highest, lastIndex: lastIndex, sequences: sequences, indexes: indexes))
        }
        return sessions
    }
}

extension LogBase {
    /// The base as bytes (a log store keeps its bases in files of their own).
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 28 + dedup.reduce(0) { $0 + 28 + $1.sequences.count * 16 })
        writer.write(self)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        self = try reader.readLogBase()
        try reader.expectEnd()
    }
}
