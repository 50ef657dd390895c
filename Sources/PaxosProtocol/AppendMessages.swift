/// Entries a client asks a node to append, in order.
public struct AppendRequest: Hashable, Sendable {
    public var entries: [ClientEntry]

    public init(entries: [ClientEntry]) { self.entries = entries }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 16 + entries.reduce(0) { $0 + $1.data.count + 20 })
        writer.write(entries)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        entries = try reader.readClientEntries()
        try reader.expectEnd()
    }
}

/// What became of one appended entry.
public enum AppendStatus: WireStatus {
    /// Chosen by a majority, each of which fsynced it, at this log index.
    case committed(index: UInt64)
    /// This node is not the leader; `leader` is who it believes leads (nil: unknown yet).
    case notLeader(leader: UInt32?)
    /// The node cannot take it (for example an entry over the size limit).
    case failed(String)
    /// The leader's queue is full: send it again after a moment (back-pressure).
    case busy
    /// The entry came before its session's sequence `expected` (lost with a leader), which the log
    /// must take first; it was not appended. Send the session's entries from `expected` on again,
    /// in order.
    case outOfOrder(expected: UInt64)

    public func write(to writer: inout ByteWriter) {
        switch self {
        case .committed(let index): writer.write(tag: 0, index)
        case .notLeader(let leader): writer.write(tag: 1, leader: leader)
        case .failed(let reason): writer.write(tag: 2, reason: reason)
        case .busy: writer.write(UInt8(3))
        case .outOfOrder(let expected): writer.write(tag: 4, expected)
        }
    }

    public init(reading reader: inout ByteReader) throws(WireDecodingError) {
        let tagOffset = reader.offset
        switch try reader.read(UInt8.self) {
        case 0: self = .committed(index: try reader.read())
        case 1: self = .notLeader(leader: try reader.readLeader())
        case 2: self = .failed(try reader.readReason())
        case 3: self = .busy
        case 4: self = .outOfOrder(expected: try reader.read())
        case let tag: throw WireDecodingError(offset: tagOffset, message: "unknown append status \(tag)")
        }
    }
}

/// The node's answers, one per entry key; several may share a frame.
public struct AppendResult: Hashable, Sendable {
    public var outcomes: [(key: ClientKey, status: AppendStatus)]

    public init(outcomes: [(key: ClientKey, status: AppendStatus)]) { self.outcomes = outcomes }

    public static func == (lhs: AppendResult, rhs: AppendResult) -> Bool {
        lhs.outcomes.elementsEqual(rhs.outcomes) { $0.key == $1.key && $0.status == $1.status }
    }

    public func hash(into hasher: inout Hasher) {
        for outcome in outcomes {
            hasher.combine(outcome.key)
            hasher.combine(outcome.status)
        }
    }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 8 + outcomes.count * 26)
        writer.write(UInt32(outcomes.count))
        for (key, status) in outcomes {
            writer.write(key.session)
            writer.write(key.sequence)
            status.write(to: &writer)
        }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        let count = try reader.readCount(minimumElementSize: 17)
        outcomes = []
        outcomes.reserveCapacity(count)
        for _ in 0..<count {
            let key = ClientKey(session: try reader.read(), sequence: try reader.read())
            outcomes.append((key, try AppendStatus(reading: &reader)))
        }
        try reader.expectEnd()
    }
}
