/// A client asks the cluster to hand leadership to node `target` (`paxoslog cluster
/// transfer-leader`).
public struct TransferRequest: Hashable, Sendable {
    public var requestID: UInt64
    public var target: UInt32

    public init(requestID: UInt64, target: UInt32) {
        self.requestID = requestID
        self.target = target
    }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 12)
        writer.write(requestID)
        writer.write(target)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        requestID = try reader.read()
        let targetOffset = reader.offset
        target = try reader.read()
        guard target != 0 else { throw WireDecodingError(offset: targetOffset, message: "node id 0 is not a node") }
        try reader.expectEnd()
    }
}

/// What became of a transfer request.
public struct TransferResult: Hashable, Sendable {
    public enum Status: Hashable, Sendable {
        /// Node `to` leads now (it took over, or already led).
        case transferred(to: UInt32)
        /// Transfers go through the leader; this is who this node believes leads.
        case notLeader(leader: UInt32?)
        /// Refused, or the target did not take over in time; the leader goes on leading.
        case failed(String)
    }

    public var requestID: UInt64
    public var status: Status

    public init(requestID: UInt64, status: Status) {
        self.requestID = requestID
        self.status = status
    }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 16)
        writer.write(requestID)
        switch status {
        case .transferred(let node):
            writer.write(UInt8(0))
            writer.write(node)
        case .notLeader(let leader):
            writer.write(UInt8(1))
            writer.write(leader ?? 0)
        case .failed(let message):
            writer.write(UInt8(2))
            writer.writeLengthPrefixed(Array(message.utf8))
        }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        requestID = try reader.read()
        let statusOffset = reader.offset
        switch try reader.read(UInt8.self) {
        case 0:
            status = .transferred(to: try reader.read())
        case 1:
            let leader: UInt32 = try reader.read()
            status = .notLeader(leader: leader == 0 ? nil : leader)
        case 2:
            let messageOffset = reader.offset
            guard let message = String(validating: try reader.readLengthPrefixed(), as: UTF8.self) else {
                throw WireDecodingError(offset: messageOffset, message: "failure message is not UTF-8")
            }
            status = .failed(message)
        case let tag:
            throw WireDecodingError(offset: statusOffset, message: "unknown transfer status \(tag)")
        }
        try reader.expectEnd()
    }
}
