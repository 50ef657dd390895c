/// A client asks the cluster to hand leadership to node `target` (`paxoslog cluster
/// transfer-leader`).
public struct TransferRequest: RequestIDPrefixed, Hashable {
    public var requestID: UInt64
    public var target: UInt32

    public init(requestID: UInt64, target: UInt32) {
        self.requestID = requestID
        self.target = target
    }

    public func writeFields(to writer: inout ByteWriter) { writer.write(target) }

    public init(requestID: UInt64, readingFieldsFrom reader: inout ByteReader) throws(WireDecodingError) {
        let targetOffset = reader.offset
        let target: UInt32 = try reader.read()
        guard target != 0 else { throw WireDecodingError(offset: targetOffset, message: "node id 0 is not a node") }
        self.init(requestID: requestID, target: target)
    }
}

/// What became of a transfer request.
public typealias TransferResult = RequestResult<TransferStatus>

/// Who leads after a transfer request, or why it did not happen.
public enum TransferStatus: WireStatus {
    /// Node `to` leads now (it took over, or already led).
    case transferred(to: UInt32)
    /// Transfers go through the leader; this is who this node believes leads.
    case notLeader(leader: UInt32?)
    /// Refused, or the target did not take over in time; the leader goes on leading.
    case failed(String)

    public func write(to writer: inout ByteWriter) {
        switch self {
        case .transferred(let node): writer.write(tag: 0, node)
        case .notLeader(let leader): writer.write(tag: 1, leader: leader)
        case .failed(let reason): writer.write(tag: 2, reason: reason)
        }
    }

    public init(reading reader: inout ByteReader) throws(WireDecodingError) {
        let tagOffset = reader.offset
        switch try reader.read(UInt8.self) {
        case 0: self = .transferred(to: try reader.read())
        case 1: self = .notLeader(leader: try reader.readLeader())
        case 2: self = .failed(try reader.readReason())
        case let tag: throw WireDecodingError(offset: tagOffset, message: "unknown transfer status \(tag)")
        }
    }
}
