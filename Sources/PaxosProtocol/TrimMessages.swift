/// A client asks the cluster to move the log's first index to `before` (`paxoslog trim`).
///
/// Idempotent: the first index only moves forward, so a retry after a lost answer is harmless.
public struct TrimRequest: Hashable, Sendable {
    public var requestID: UInt64
    public var before: UInt64

    public init(requestID: UInt64, before: UInt64) {
        self.requestID = requestID
        self.before = before
    }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 16)
        writer.write(requestID)
        writer.write(before)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        requestID = try reader.read()
        before = try reader.readTrimIndex()
        try reader.expectEnd()
    }
}

/// What became of a trim request.
public struct TrimResult: Hashable, Sendable {
    public enum Status: Hashable, Sendable {
        /// The trim is chosen and applied: the log's first index is now `firstIndex`.
        case trimmed(firstIndex: UInt64)
        /// Trims go through the leader; this is who this node believes leads.
        case notLeader(leader: UInt32?)
    }

    public var requestID: UInt64
    public var status: Status

    public init(requestID: UInt64, status: Status) {
        self.requestID = requestID
        self.status = status
    }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 17)
        writer.write(requestID)
        switch status {
        case .trimmed(let firstIndex):
            writer.write(UInt8(0))
            writer.write(firstIndex)
        case .notLeader(let leader):
            writer.write(UInt8(1))
            writer.write(UInt64(leader ?? 0))
        }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        requestID = try reader.read()
        let statusOffset = reader.offset
        let tag: UInt8 = try reader.read()
        let value: UInt64 = try reader.read()
        switch tag {
        case 0:
            status = .trimmed(firstIndex: value)
        case 1:
            guard value <= UInt64(UInt32.max) else {
                throw WireDecodingError(offset: statusOffset + 1, message: "leader id \(value) is out of range")
            }
            status = .notLeader(leader: value == 0 ? nil : UInt32(value))
        default:
            throw WireDecodingError(offset: statusOffset, message: "unknown trim status \(tag)")
        }
        try reader.expectEnd()
    }
}
