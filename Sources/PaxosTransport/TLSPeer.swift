import PaxosCertificates

/// What the TLS handshake proved about the other side of one connection: the paxoslog identity
/// in the certificate it presented (and that chained to the cluster CA). Set by
/// ``TLSPeerCheckHandler`` when the TLS handshake completes, read by the listener's
/// ``HandshakeHandler`` to check the hello against it.
///
/// Belongs to one channel and is used only on its event loop (like ``FrameSizeLimit``).
public final class TLSPeer {
    /// The identity in the peer's certificate, once the TLS handshake completed.
    public internal(set) var identity: CertificateIdentity?

    /// - Parameter identity: nil until the handshake sets it (given here by tests).
    public init(identity: CertificateIdentity? = nil) {
        self.identity = identity
    }

    /// Why `hello` may not come over this connection, or nil when the certificate matches it: a
    /// peer hello must come with the certificate of the node it claims to be, a client hello with
    /// a client certificate. This is what binds node ids to certificates: a node's certificate
    /// and the cluster secret are not enough to join as another node.
    public func mismatch(with hello: Hello) -> String? {
        guard let identity else { return "no TLS certificate was checked before the hello" }
        switch (hello.role, identity) {
        case (.peer, .node(let id)) where id == hello.senderID:
            return nil
        case (.client, .client):
            return nil
        case (.peer, _):
            return "a hello from node \(hello.senderID) came with the certificate of \(identity)"
        case (.client, _):
            return "a client hello came with the certificate of \(identity), not a client certificate"
        }
    }
}
