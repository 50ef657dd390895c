import NIOCore
import NIOSSL
import NIOTLS
import PaxosCertificates
import X509

/// Sits right after the TLS handler on a TCP connection: once the TLS handshake has verified the
/// peer's certificate against the cluster CA, reads the paxoslog identity from it; and turns
/// swift-nio-ssl's errors into a ``TransportError`` (`.tlsFailed`) that says what went wrong in
/// words, for the handshake handlers above to log and report.
///
/// - A connector that dialled node K refuses any certificate but node K's (`.unexpectedNode`),
///   before the listener's challenge is read and so before this side proves anything: a node
///   certificate cannot be used as another id, and a relay at K's address cannot pass another
///   member off as K.
/// - A listener accepts any certificate naming a node or a client and leaves it in the
///   connection's ``TLSPeer``; its ``HandshakeHandler`` checks the hello against it.
final class TLSPeerCheckHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    enum Side {
        case listener
        /// The node expected at the address dialled (nil: any node).
        case connector(expecting: UInt32?)
    }

    private let side: Side
    private let peer: TLSPeer
    private var refused = false
    /// The TLS handshake completed and the certificate passed: a later unclean close is a peer
    /// that went away, not a failed handshake.
    private var established = false

    init(side: Side, peer: TLSPeer) {
        self.side = side
        self.peer = peer
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case TLSUserEvent.handshakeCompleted = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch check(context: context) {
        case .success(let identity):
            peer.identity = identity
            established = true
            context.fireUserInboundEventTriggered(event)
        case .failure(let error):
            refused = true
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Nothing from a peer whose certificate was refused reaches the handshake.
        guard !refused else { return }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.fireErrorCaught(Self.describe(error, afterHandshake: established) ?? error)
    }

    private func check(context: ChannelHandlerContext) -> Result<CertificateIdentity, TransportError> {
        let presented = try? context.pipeline.syncOperations.handler(type: NIOSSLHandler.self).peerCertificate
        guard let presented else {
            return .failure(TransportError(.tlsFailed, "TLS handshake completed without a peer certificate"))
        }
        let identity: CertificateIdentity
        do {
            identity = try CertificateIdentity(certificate: Certificate(derEncoded: presented.toDERBytes()))
        } catch {
            return .failure(
                TransportError(
                    .tlsFailed, "the peer's certificate, though signed by the cluster CA, is unusable: \(error)")
            )
        }
        guard case .connector(let expected) = side else { return .success(identity) }
        switch (expected, identity) {
        case (.some(let id), .node(let found)) where found == id:
            return .success(identity)
        case (.none, .node):
            return .success(identity)
        case (.some(let id), _):
            return .failure(
                TransportError(
                    .unexpectedNode,
                    "presented the certificate of \(identity), expected node \(id); refusing it"))
        case (.none, _):
            return .failure(
                TransportError(
                    .unexpectedNode, "presented the certificate of \(identity), not a node's; refusing it"))
        }
    }

    /// swift-nio-ssl's error in words, or nil when `error` is not a TLS error.
    ///
    /// - Parameter afterHandshake: the TLS handshake had completed (an unclean close is then a peer
    ///   that stopped, crashed or was cut off, reported as such).
    ///
    /// The side that refuses a certificate only learns that it did not verify (BoringSSL keeps
    /// the reason from the error), the side whose certificate was refused learns why from the
    /// alert (expired, unknown CA); between the two log lines the operator has the story.
    static func describe(_ error: Error, afterHandshake: Bool = false) -> TransportError? {
        let text: String
        switch error {
        case NIOSSLError.handshakeFailed(let underlying):
            text = "\(underlying)"
        case NIOSSLError.uncleanShutdown where afterHandshake:
            // A peer killed, or whose host reset the connection: no TLS close_notify came first.
            return TransportError(
                .connectionClosed,
                "the peer closed the connection without ending TLS (it stopped, crashed or was reset)")
        case NIOSSLError.uncleanShutdown:
            // A node that died mid-handshake: transient, not a certificate problem.
            return TransportError(.connectionClosed, "the connection ended in the middle of the TLS handshake")
        case let error as NIOSSLError:
            text = "\(error)"
        case let error as BoringSSLError:
            text = "\(error)"
        default:
            return nil
        }
        let reasons: [(String, String)] = [
            (
                "CERTIFICATE_VERIFY_FAILED",
                "the peer's certificate did not verify against the cluster CA (signed by another CA, expired or not yet valid)"
            ),
            ("PEER_DID_NOT_RETURN_A_CERTIFICATE", "the peer presented no certificate (a client needs --tls-dir)"),
            ("CERTIFICATE_REQUIRED", "the peer requires a certificate and this side presented none"),
            ("CERTIFICATE_EXPIRED", "the peer refused this side's certificate as expired"),
            (
                "UNKNOWN_CA",
                "the peer does not trust the CA that signed this side's certificate (another cluster's CA?)"
            ),
            ("BAD_CERTIFICATE", "the peer refused this side's certificate"),
            (
                "WRONG_VERSION_NUMBER",
                "the peer does not speak TLS (plaintext? give it --tls-dir, or both sides --insecure)"
            ),
            ("HTTP_REQUEST", "the peer does not speak TLS (plaintext? give it --tls-dir, or both sides --insecure)"),
            (
                "PACKET_LENGTH_TOO_LONG",
                "the peer does not speak TLS (plaintext? give it --tls-dir, or both sides --insecure)"
            ),
        ]
        for (marker, reason) in reasons where text.contains(marker) {
            return TransportError(.tlsFailed, "TLS handshake failed: \(reason)")
        }
        return TransportError(.tlsFailed, "TLS handshake failed: \(text)")
    }
}
