import PaxosCore
import PaxosProtocol
import PaxosReplica
import PaxosTransport

/// libFuzzer's entry point: one input per call. The first byte picks the target, the rest is the
/// input: a replica message or a journal record to decode, a decodable message to hand to a
/// replica in each role, a client request or result, a transport frame, or a handshake frame. A trap, an overflow or a hang is a finding; a decoding error is not.
func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let selector = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch selector % 7 {
    case 5:
        // A whole transport frame: length, kind, payload, checksum.
        if let frame = try? Frame(wireBytes: bytes) {
            precondition(frame.wireBytes() == bytes, "a frame decodes from bytes it would not encode to")
        }
    case 6:
        // The handshake, both sides, fed the input as the other side's frame.
        let frame = Frame(kind: selector >> 4 & 7, payload: bytes)
        _ = try? Hello(frame: frame)
        _ = HandshakeChallenge(payload: bytes)
        var listener = ListenerHandshake(
            clusterID: 1, localID: 1, secret: FuzzReplicas.secret, nonce: HandshakeNonce.random())
        _ = listener.receive(frame)
        _ = listener.receive(frame)
        var connector = ConnectorHandshake(
            hello: Hello(clusterID: 1, role: .client, senderID: 0), secret: FuzzReplicas.secret)
        _ = connector.receive(frame)
        _ = connector.receive(frame)
    case 3:
        if let request = try? AppendRequest(decoding: bytes) {
            precondition(request.encoded() == bytes, "an append request decodes from bytes it would not encode to")
        }
        if let result = try? AppendResult(decoding: bytes) {
            precondition(result.encoded() == bytes, "an append result decodes from bytes it would not encode to")
        }
    case 4:
        if let request = try? ReadRequest(decoding: bytes) {
            precondition(request.encoded() == bytes, "a read request decodes from bytes it would not encode to")
        }
        if let result = try? ReadResult(decoding: bytes) {
            precondition(result.encoded() == bytes, "a read result decodes from bytes it would not encode to")
        }
    case 0:
        if let message = try? ReplicaMessage(decoding: bytes) {
            precondition(message.encoded() == bytes, "a message decodes from bytes it would not encode to")
        }
    case 1:
        if let record = try? PersistRecord(decoding: bytes) {
            precondition(record.encoded() == bytes, "a record decodes from bytes it would not encode to")
            _ = Replica.recover(id: NodeID(1), configuration: FuzzReplicas.configuration, records: [record], now: .zero)
        }
    default:
        guard let message = try? ReplicaMessage(decoding: bytes) else { return 0 }
        let sender = NodeID(UInt32(selector >> 4) % 5)
        for var replica in FuzzReplicas.all {
            _ = replica.receive(message, from: sender, now: .zero + .milliseconds(1))
            _ = replica.tick(now: .zero + .seconds(5))
        }
    }
    return 0
}

/// Replicas in each role, built once: a follower, a candidate, a leader and a non-voter.
enum FuzzReplicas {
    static let configuration = ReplicaConfiguration(members: [NodeID(1), NodeID(2), NodeID(3)])
    static let secret = ClusterSecret.random()

    static let all: [Replica] = {
        let ballot = Ballot(number: 3, uid: NodeID(1))
        var follower = Replica(id: NodeID(2), configuration: configuration, now: .zero)
        _ = follower.receive(.heartbeat(ballot: ballot, commitIndex: 0, round: 1), from: NodeID(1), now: .zero)
        var candidate = Replica(id: NodeID(1), configuration: configuration, now: .zero)
        _ = candidate.tick(now: .zero + .seconds(2))
        var leader = candidate
        _ = leader.receive(.preVoteReply(granted: true, promised: nil), from: NodeID(2), now: .zero + .seconds(2))
        _ = leader.persisted(through: 10, now: .zero + .seconds(2))
        let nonVoter = Replica.recover(
            id: NodeID(3), configuration: configuration, records: [.recoveryStarted], now: .zero)
        return [follower, candidate, leader, nonVoter]
    }()
}
