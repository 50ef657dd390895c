import NIOCore
import NIOSSL

extension ChannelPipeline.SynchronousOperations {
    /// Puts TLS first in a TCP channel's pipeline when there is `security`: the swift-nio-ssl
    /// handler (server or client side), then ``TLSPeerCheckHandler``. Nothing on a Unix socket or
    /// without security.
    ///
    /// - Returns: the connection's ``TLSPeer``, nil when the channel runs no TLS.
    func addTLSHandlers(
        security: TransportSecurity?, address: TransportAddress, side: TLSPeerCheckHandler.Side
    ) throws -> TLSPeer? {
        guard let security, case .tcp = address else { return nil }
        let peer = TLSPeer()
        switch side {
        case .listener:
            try addHandler(NIOSSLServerHandler(context: security.serverContext))
        case .connector:
            // No server name: members are checked by the identity in their certificate, and SNI
            // would put the host name on the wire in the clear for nothing.
            try addHandler(NIOSSLClientHandler(context: security.clientContext, serverHostname: nil))
        }
        try addHandler(TLSPeerCheckHandler(side: side, peer: peer))
        return peer
    }

    /// Whether this channel runs TLS (a swift-nio-ssl handler is in its pipeline).
    var runsTLS: Bool { (try? handler(type: NIOSSLHandler.self)) != nil }
}
