import PaxosCore

extension ByteWriter {
    /// A ballot: number, then node id.
    public mutating func write(_ ballot: Ballot) {
        write(ballot.number)
        write(ballot.uid.rawValue)
    }

    mutating func write(_ ballot: Ballot?) {
        write(ballot != nil)
        if let ballot { write(ballot) }
    }

    /// A slot value: a tag (0 no-op, 1 entries, 2 trim, 3 membership), then the entries, the
    /// trim's index or the members.
    public mutating func write(_ value: SlotValue) {
        switch value {
        case .noop:
            write(UInt8(0))
        case .entries(let entries):
            write(UInt8(1))
            write(entries)
        case .trim(let before):
            write(UInt8(2))
            write(before)
        case .membership(let membership):
            write(UInt8(3))
            write(membership)
        }
    }

    /// A count, then each entry as session, sequence and length-prefixed bytes. Shared by slot
    /// values (between replicas, on disk) and append requests (from clients).
    public mutating func write(_ entries: [ClientEntry]) {
        write(UInt32(entries.count))
        for entry in entries {
            write(entry.key.session)
            write(entry.key.sequence)
            writeLengthPrefixed(entry.data)
        }
    }

    mutating func write(_ values: [SlotValue]) {
        write(UInt32(values.count))
        for value in values { write(value) }
    }
}

extension ByteReader {
    /// Reads what `ByteWriter.write(_: Ballot)` wrote.
    public mutating func readBallot() throws(WireDecodingError) -> Ballot {
        Ballot(number: try read(UInt64.self), uid: NodeID(try read(UInt32.self)))
    }

    mutating func readOptionalBallot() throws(WireDecodingError) -> Ballot? {
        try readBool() ? try readBallot() : nil
    }

    /// Reads what `ByteWriter.write(_: SlotValue)` wrote.
    public mutating func readSlotValue() throws(WireDecodingError) -> SlotValue {
        let start = offset
        switch try read(UInt8.self) {
        case 0:
            return .noop
        case 1:
            return .entries(try readClientEntries())
        case 2:
            return .trim(before: try readTrimIndex())
        case 3:
            return .membership(try readMembership())
        case let tag:
            throw WireDecodingError(offset: start, message: "unknown slot value tag \(tag)")
        }
    }

    /// A trim's new first index, a u64 (in a slot value and in a client's trim request alike):
    /// index 0 and indexes past the slot space are refused.
    mutating func readTrimIndex() throws(WireDecodingError) -> UInt64 {
        let start = offset
        let before: UInt64 = try read()
        guard before >= 1, before < ProtocolLimits.slotsAndBallots else {
            throw WireDecodingError(offset: start, message: "trim index \(before) is out of range")
        }
        return before
    }

    /// Reads what `ByteWriter.write(_: [ClientEntry])` wrote.
    public mutating func readClientEntries() throws(WireDecodingError) -> [ClientEntry] {
        let count = try readCount(minimumElementSize: 20)
        var entries: [ClientEntry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let key = ClientKey(session: try read(UInt64.self), sequence: try read(UInt64.self))
            entries.append(ClientEntry(key: key, data: try readLengthPrefixed()))
        }
        return entries
    }

    mutating func readSlotValues() throws(WireDecodingError) -> [SlotValue] {
        let count = try readCount(minimumElementSize: 1)
        var values: [SlotValue] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try readSlotValue()) }
        return values
    }
}
