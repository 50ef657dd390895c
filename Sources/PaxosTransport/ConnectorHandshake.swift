/// The connector's side of the handshake as a state machine (see ``ListenerHandshake`` for the
/// exchange): it sends ``helloFrame``, checks the listener's proof before proving itself, and
/// refuses a listener that cannot prove it holds the cluster secret, or that proves it but is not
/// the node this connector meant to reach (a relay at a dead node's address forwarding the
/// handshake to a live one).
public struct ConnectorHandshake: Sendable {
    /// What the caller must do after a frame.
    public enum Action: Hashable, Sendable {
        /// Send this frame (the connector's proof) and wait for the acceptance.
        case send(Frame)
        /// The listener accepted; the connection is open for application frames.
        case established(listenerID: UInt32)
        /// The listener refused, for this reason (its refusal frame's text, made printable).
        case refused(String)
        /// The listener failed its proof or broke the protocol; close the connection.
        case failed(TransportError)
    }

    private enum State: Sendable {
        case awaitingChallenge
        case awaitingAcceptance(listenerID: UInt32, listenerNonce: [UInt8])
        case established
        case failed
    }

    /// The hello this connection sends, with its fresh nonce.
    public let hello: Hello
    /// The node id this connector dialled, when it knows it: a listener that answers as another
    /// node is refused before this side proves anything.
    public let expectedListenerID: UInt32?
    private let helloBytes: [UInt8]
    private let secret: ClusterSecret
    private var state = State.awaitingChallenge

    /// - Parameters:
    ///   - hello: who is connecting; its nonce is replaced by `nonce`.
    ///   - expectedListenerID: the node that should answer at this address; nil when any member
    ///     may (a client that does not know which node it reaches).
    ///   - nonce: 32 fresh bytes from a cryptographically secure generator (the default).
    public init(
        hello: Hello, secret: ClusterSecret, expectedListenerID: UInt32? = nil,
        nonce: [UInt8] = HandshakeNonce.random()
    ) {
        precondition(nonce.count == Hello.nonceSize, "a handshake nonce is \(Hello.nonceSize) bytes")
        var hello = hello
        hello.nonce = nonce
        self.hello = hello
        self.expectedListenerID = expectedListenerID
        helloBytes = hello.frame.payload
        self.secret = secret
    }

    /// The first frame to send.
    public var helloFrame: Frame { Frame(kind: Hello.FrameKind.hello, payload: helloBytes) }

    /// This connection's frame keys, once the listener has accepted.
    public private(set) var sessionKeys: SessionKeys?

    /// True once the listener has accepted.
    public var isEstablished: Bool {
        if case .established = state { return true }
        return false
    }

    /// Handles the next frame from the listener, until the connection is established.
    public mutating func receive(_ frame: Frame) -> Action {
        if frame.kind == Hello.FrameKind.refused {
            state = .failed
            return .refused(Self.describeRefusal(frame.payload))
        }
        switch state {
        case .awaitingChallenge:
            guard frame.kind == Hello.FrameKind.challenge else {
                return fail(.malformedFrame, "answered the hello with frame kind \(frame.kind)")
            }
            guard let challenge = HandshakeChallenge(payload: frame.payload) else {
                return fail(.malformedFrame, "sent a malformed challenge (\(frame.payload.count) bytes)")
            }
            let expected = HandshakeProof.listener(
                secret: secret, hello: helloBytes, listenerNonce: challenge.nonce, listenerID: challenge.listenerID)
            guard HandshakeProof.constantTimeEqual(challenge.proof, expected) else {
                return fail(
                    .authenticationFailed,
                    "failed to prove that it holds the cluster secret: it is not a member of this cluster, "
                        + "or its secret file differs from ours; not connecting")
            }
            if let expected = expectedListenerID, challenge.listenerID != expected {
                // A member, but not the one at this address: the configuration is wrong, or someone
                // at this address relays the handshake to another node. Proving ourselves now would
                // let the relay in as us.
                return fail(
                    .unexpectedNode,
                    "answered as node \(challenge.listenerID), expected node \(expected); not connecting "
                        + "(the cluster configuration names another node at this address, or the connection is relayed)"
                )
            }
            state = .awaitingAcceptance(listenerID: challenge.listenerID, listenerNonce: challenge.nonce)
            let proof = HandshakeProof.connector(
                secret: secret, hello: helloBytes, listenerNonce: challenge.nonce, listenerProof: challenge.proof)
            return .send(Frame(kind: Hello.FrameKind.proof, payload: proof))
        case .awaitingAcceptance(let listenerID, let listenerNonce):
            var reader = ByteReader(frame.payload)
            guard frame.kind == Hello.FrameKind.helloAccepted, frame.payload.count == 4,
                let accepted = reader.integer(UInt32.self)
            else {
                return fail(.malformedFrame, "answered the proof with frame kind \(frame.kind)")
            }
            guard accepted == listenerID else {
                return fail(.malformedFrame, "accepted as node \(accepted) after proving to be node \(listenerID)")
            }
            state = .established
            sessionKeys = SessionKeys(secret: secret, connectorNonce: hello.nonce, listenerNonce: listenerNonce)
            return .established(listenerID: listenerID)
        case .established, .failed:
            return fail(.malformedFrame, "sent a handshake frame after the handshake ended")
        }
    }

    private mutating func fail(_ code: TransportError.Code, _ message: String) -> Action {
        state = .failed
        return .failed(TransportError(code, message))
    }

    /// A refusal frame's reason in words, with what it usually means on this side.
    public static func describeRefusal(_ payload: [UInt8]) -> String {
        var reason = printable(payload)
        if reason.hasPrefix("handshake refused: ") { reason.removeFirst("handshake refused: ".count) }
        switch reason {
        case "authentication failed":
            return "authentication failed (the cluster secret used here is not the node's)"
        case "wrong cluster":
            return "wrong cluster (the node belongs to another cluster)"
        default:
            return reason
        }
    }

    /// A refusal's text as printable ASCII, at most 200 characters: whatever a listener sends must
    /// not reach a terminal as control sequences.
    static func printable(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        return String(text.unicodeScalars.map { (0x20..<0x7F).contains($0.value) ? Character($0) : "?" })
    }
}
