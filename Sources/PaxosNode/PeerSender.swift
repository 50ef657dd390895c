import Logging
import NIOCore
import PaxosCore
import PaxosTransport

/// The sending end of the node's connection to one peer: the frames of one event go together, in
/// order. The node process sends over a ``PeerLink`` (which reconnects by itself); the whole-node
/// simulation sends into a simulated network that loses, delays and reorders.
protocol PeerSender: AnyObject {
    func send(_ frames: [Frame])
    /// Lets the peer go: the node sends it nothing more.
    func close()
}

extension PeerLink: PeerSender {}

/// Opens the node's sending end to a peer: at start, and when the membership adds a member.
protocol PeerDialer {
    func dial(_ peer: NodeID, at address: TransportAddress) -> any PeerSender
}

/// Dials peers over the transport: a ``PeerLink`` per peer that presents this node's hello and
/// counts its connection failures in the node's metrics.
struct PeerLinkDialer: PeerDialer {
    let configuration: NodeConfiguration
    let eventLoop: EventLoop
    let logger: Logger
    let metrics: NodeMetrics

    func dial(_ peer: NodeID, at address: TransportAddress) -> any PeerSender {
        let hello = Hello(
            clusterID: configuration.clusterID, role: .peer, senderID: configuration.id.rawValue,
            incarnation: configuration.incarnation)
        let link = PeerLink(
            address: address, expecting: peer.rawValue, hello: hello, secret: configuration.secret,
            security: configuration.transportSecurity, liveness: configuration.peerLiveness, eventLoop: eventLoop,
            logger: logger)
        let metrics = metrics
        link.onFailure = { failure in metrics.peerConnectionError(peer, failure) }
        link.connect()
        return link
    }
}
