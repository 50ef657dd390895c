/// A client asks the cluster to move the log's first index to `before` (`paxoslog trim`).
///
/// Idempotent: the first index only moves forward, so a retry after a lost answer is harmless.
public struct TrimRequest: RequestIDPrefixed, Hashable {
    public var requestID: UInt64
    public var before: UInt64

    public init(requestID: UInt64, before: UInt64) {
        self.requestID = requestID
        self.before = before
    }

    public func writeFields(to writer: inout ByteWriter) { writer.write(before) }

    public init(requestID: UInt64, readingFieldsFrom reader: inout ByteReader) throws(WireDecodingError) {
        self.init(requestID: requestID, before: try reader.readTrimIndex())
    }
}

/// What became of a trim request.
public typealias TrimResult = RequestResult<TrimStatus>

/// The log's first index after a trim request, or where the leader is.
///
/// Unlike the other statuses, every case is a tag and a u64: the leader's id is widened to 64 bits
/// (0: none known).
public enum TrimStatus: WireStatus {
    /// The trim is chosen and applied: the log's first index is now `firstIndex`.
    case trimmed(firstIndex: UInt64)
    /// Trims go through the leader; this is who this node believes leads.
    case notLeader(leader: UInt32?)

    public func write(to writer: inout ByteWriter) {
        switch self {
        case .trimmed(let firstIndex): writer.write(tag: 0, firstIndex)
        case .notLeader(let leader): writer.write(tag: 1, UInt64(leader ?? 0))
        }
    }

    public init(reading reader: inout ByteReader) throws(WireDecodingError) {
        let tagOffset = reader.offset
        let tag: UInt8 = try reader.read()
        let value: UInt64 = try reader.read()
        switch tag {
        case 0:
            self = .trimmed(firstIndex: value)
        case 1:
            guard value <= UInt64(UInt32.max) else {
                throw WireDecodingError(offset: tagOffset + 1, message: "leader id \(value) is out of range")
            }
            self = .notLeader(leader: value == 0 ? nil : UInt32(value))
        default:
            throw WireDecodingError(offset: tagOffset, message: "unknown trim status \(tag)")
        }
    }
}
