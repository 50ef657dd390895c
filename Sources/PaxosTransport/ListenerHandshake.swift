/// The listener's side of the handshake as a state machine: frames in, actions out, no I/O, no
/// clock; the caller gives it a fresh random nonce.
///
/// ```
/// connector                                              listener
///   hello {magic, v2, cluster id, role, id, incarnation, nonce C} ──>
///                  <── challenge {nonce L, listener id, HMAC(listener label | hello | L | id)}
///   (checks the listener's proof)
///   proof {HMAC(connector label | hello | L | listener proof)} ──>
///                                                      (checks it) <── helloAccepted {listener id}
///   every later frame, both ways, carries a tag under this connection's ``SessionKeys``
/// ```
///
/// A refusal carries only a short generic reason (``Refusal/reply``); the precise one
/// (``Refusal/reason``) is for the listener's own log, and neither ever names this cluster's id.
public struct ListenerHandshake: Sendable {
    /// Why a connection is refused: what the other side is told, and what the log says.
    public struct Refusal: Hashable, Sendable {
        /// The refusal frame's text: generic, revealing nothing about this cluster.
        public var reply: String
        /// The precise reason, for the local log.
        public var reason: String

        public static let authenticationFailed = "handshake refused: authentication failed"
        public static let wrongCluster = "handshake refused: wrong cluster"
        public static let protocolError = "handshake refused: protocol error"
        public static let timedOut = "handshake refused: timed out"
        /// Sent by a connector that reached a member other than the node it dialled.
        public static let unexpectedNode = "handshake refused: not the node expected at this address"
        /// The hello claims another identity than the connection's TLS certificate names.
        public static let certificateMismatch = "handshake refused: the hello does not match the certificate"

        public static func unsupportedVersion(_ version: UInt16) -> String {
            "handshake refused: unsupported protocol version \(version)"
        }
    }

    /// What the caller must do after a frame.
    public enum Action: Hashable, Sendable {
        /// Send this frame (the challenge) and wait for the next one.
        case send(Frame)
        /// The connector is authenticated: send `reply` (helloAccepted), then hand over the connection.
        case accept(Hello, reply: Frame)
        /// Send a refusal frame with `reply`, log `reason`, close.
        case refuse(Refusal)
        /// The connector gave up (it refused this node's proof): log `reason`, close.
        case abandoned(reason: String)
    }

    private enum State: Sendable {
        case awaitingHello
        case awaitingProof(hello: Hello, helloBytes: [UInt8], listenerProof: [UInt8])
        case accepted
        case refused
    }

    private let clusterID: UInt64
    private let localID: UInt32
    private let secret: ClusterSecret
    private let nonce: [UInt8]
    private var state = State.awaitingHello

    /// - Parameter nonce: 32 fresh bytes from a cryptographically secure generator, new for every connection.
    public init(clusterID: UInt64, localID: UInt32, secret: ClusterSecret, nonce: [UInt8]) {
        precondition(nonce.count == Hello.nonceSize, "a handshake nonce is \(Hello.nonceSize) bytes")
        self.clusterID = clusterID
        self.localID = localID
        self.secret = secret
        self.nonce = nonce
    }

    /// This connection's frame keys, once the connector has proved itself.
    public private(set) var sessionKeys: SessionKeys?

    /// True once the connector has proved itself.
    public var isAccepted: Bool {
        if case .accepted = state { return true }
        return false
    }

    /// The hello being answered, once one was received.
    public var pendingHello: Hello? {
        if case .awaitingProof(let hello, _, _) = state { return hello }
        return nil
    }

    /// Handles the next frame of a connection that is not yet accepted.
    public mutating func receive(_ frame: Frame) -> Action {
        switch state {
        case .awaitingHello:
            return receiveHello(frame)
        case .awaitingProof(let hello, let helloBytes, let listenerProof):
            if frame.kind == Hello.FrameKind.refused {
                state = .refused
                if frame.payload == Array(Refusal.unexpectedNode.utf8) {
                    return .abandoned(
                        reason: "the caller claiming to be \(Self.describe(hello)) expected another node than node "
                            + "\(localID) at the address it dialled: its configuration names another node there, "
                            + "or its connection was relayed here")
                }
                return .abandoned(
                    reason: "the caller claiming to be \(Self.describe(hello)) refused this node's proof "
                        + "(\(ConnectorHandshake.printable(frame.payload))): its secret differs from this node's")
            }
            guard frame.kind == Hello.FrameKind.proof, frame.payload.count == HandshakeProof.size else {
                return refuse(
                    Refusal.protocolError,
                    "the caller claiming to be \(Self.describe(hello)) sent frame kind \(frame.kind) (\(frame.payload.count) bytes) instead of its proof"
                )
            }
            let expected = HandshakeProof.connector(
                secret: secret, hello: helloBytes, listenerNonce: nonce, listenerProof: listenerProof)
            guard HandshakeProof.constantTimeEqual(frame.payload, expected) else {
                return refuse(
                    Refusal.authenticationFailed,
                    "authentication failed: the proof of the caller claiming to be \(Self.describe(hello)) does not match "
                        + "(it does not hold this cluster's secret, or it replayed an old handshake)")
            }
            state = .accepted
            sessionKeys = SessionKeys(secret: secret, connectorNonce: hello.nonce, listenerNonce: nonce)
            var id: [UInt8] = []
            id.appendLittleEndian(localID)
            return .accept(hello, reply: Frame(kind: Hello.FrameKind.helloAccepted, payload: id))
        case .accepted, .refused:
            return refuse(Refusal.protocolError, "a handshake frame after the handshake ended")
        }
    }

    private mutating func receiveHello(_ frame: Frame) -> Action {
        let hello: Hello
        do {
            hello = try Hello(frame: frame)
        } catch {
            switch error {
            case .notAHello(let kind):
                return refuse(Refusal.protocolError, "sent frame kind \(kind) before a hello")
            case .badMagic:
                return refuse(Refusal.protocolError, "not a paxoslog hello (bad magic)")
            case .unsupportedVersion(let version):
                return refuse(
                    Refusal.unsupportedVersion(version),
                    "protocol version \(version); this node speaks \(Hello.currentVersion)")
            case .malformed(let detail):
                return refuse(Refusal.protocolError, "malformed hello: \(detail)")
            }
        }
        guard hello.clusterID == clusterID else {
            // The presented id may be logged; this cluster's own never is, here or in the reply.
            return refuse(
                Refusal.wrongCluster,
                "wrong cluster: the caller claiming to be \(Self.describe(hello)) presented cluster id \(String(hello.clusterID, radix: 16))"
            )
        }
        let helloBytes = frame.payload
        let proof = HandshakeProof.listener(
            secret: secret, hello: helloBytes, listenerNonce: nonce, listenerID: localID)
        state = .awaitingProof(hello: hello, helloBytes: helloBytes, listenerProof: proof)
        return .send(HandshakeChallenge(nonce: nonce, listenerID: localID, proof: proof).frame)
    }

    private mutating func refuse(_ reply: String, _ reason: String) -> Action {
        state = .refused
        return .refuse(Refusal(reply: reply, reason: reason))
    }

    /// "node 3" or "a client", as the hello claims (not yet proved).
    static func describe(_ hello: Hello) -> String {
        switch hello.role {
        case .peer: return "node \(hello.senderID)"
        case .client: return "a client"
        }
    }
}
