/// Why a link to a peer failed to connect or lost its connection, in a few stable kinds an
/// operator can count (a metric's label) without reading the log line that tells the details.
public enum PeerLinkFailure: String, Sendable, CaseIterable {
    /// The connect itself failed: refused, no such socket, timed out.
    case unreachable
    /// The peer does not hold the cluster secret, or is not a member.
    case authenticationFailed = "authentication_failed"
    /// The peer refused the handshake (another cluster id, too many connections).
    case handshakeRefused = "handshake_refused"
    /// Another member answered at this peer's address.
    case unexpectedNode = "unexpected_node"
    /// TLS failed: another CA, an expired certificate, a peer without TLS.
    case tls
    /// The connection opened but the handshake never completed.
    case handshakeIncomplete = "handshake_incomplete"
    /// An established connection closed (the peer stopped, or went silent and was given up on).
    case closed
}
