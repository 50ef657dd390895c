import PaxosCore

/// A client asks the cluster to change its membership (`paxoslog cluster add|promote|remove`).
public struct MembershipRequest: RequestIDPrefixed, Hashable {
    public var requestID: UInt64
    public var change: MembershipChange

    public init(requestID: UInt64, change: MembershipChange) {
        self.requestID = requestID
        self.change = change
    }

    /// A tag (0 add a learner, 1 promote, 2 remove), the node id, and for an addition its address
    /// (length-prefixed UTF-8).
    public func writeFields(to writer: inout ByteWriter) {
        switch change {
        case .addLearner(let node, let address):
            writer.write(UInt8(0))
            writer.write(node.rawValue)
            writer.writeLengthPrefixed(Array(address.utf8))
        case .promote(let node):
            writer.write(UInt8(1))
            writer.write(node.rawValue)
        case .remove(let node):
            writer.write(UInt8(2))
            writer.write(node.rawValue)
        }
    }

    public init(requestID: UInt64, readingFieldsFrom reader: inout ByteReader) throws(WireDecodingError) {
        let tagOffset = reader.offset
        let tag: UInt8 = try reader.read()
        let nodeOffset = reader.offset
        let node: UInt32 = try reader.read()
        guard node != 0 else { throw WireDecodingError(offset: nodeOffset, message: "node id 0 is not a node") }
        switch tag {
        case 0:
            let addressOffset = reader.offset
            guard let address = String(validating: try reader.readLengthPrefixed(), as: UTF8.self) else {
                throw WireDecodingError(offset: addressOffset, message: "the address is not UTF-8")
            }
            self.init(requestID: requestID, change: .addLearner(NodeID(node), address: address))
        case 1: self.init(requestID: requestID, change: .promote(NodeID(node)))
        case 2: self.init(requestID: requestID, change: .remove(NodeID(node)))
        default: throw WireDecodingError(offset: tagOffset, message: "unknown membership change \(tag)")
        }
    }
}

/// What became of a membership request.
public typealias MembershipResult = RequestResult<MembershipStatus>

/// The membership after a change, or why there is none.
public enum MembershipStatus: WireStatus {
    /// The change is chosen: the members now, and the node that leads.
    case changed(Membership, leader: UInt32)
    /// Changes go through the leader; this is who this node believes leads.
    case notLeader(leader: UInt32?)
    /// Refused (nothing changed), with the reason.
    case refused(String)

    public func write(to writer: inout ByteWriter) {
        switch self {
        case .changed(let membership, let leader):
            writer.write(tag: 0, leader)
            writer.write(membership)
        case .notLeader(let leader): writer.write(tag: 1, leader: leader)
        case .refused(let reason): writer.write(tag: 2, reason: reason)
        }
    }

    public init(reading reader: inout ByteReader) throws(WireDecodingError) {
        let tagOffset = reader.offset
        switch try reader.read(UInt8.self) {
        case 0:
            let leader: UInt32 = try reader.read()
            self = .changed(try reader.readMembership(), leader: leader)
        case 1: self = .notLeader(leader: try reader.readLeader())
        case 2: self = .refused(try reader.readReason())
        case let tag: throw WireDecodingError(offset: tagOffset, message: "unknown membership status \(tag)")
        }
    }
}
