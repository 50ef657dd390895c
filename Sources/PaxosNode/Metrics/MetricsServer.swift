import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PaxosTransport
import Synchronization

/// The node's HTTP endpoint for operators: `GET /metrics` (Prometheus text format) and
/// `GET /health`. It runs on the node's own event loop, so answering reads the node's state
/// directly, the way a status request does; a scrape is a few kilobytes every few seconds.
enum MetricsServer {
    /// The longest a request may take to arrive in full before its connection is closed.
    static let idleTimeout = TimeAmount.seconds(30)
    /// At most this many connections open at once; one more is closed as soon as it is accepted
    /// (Prometheus keeps one connection per target, so a handful is plenty).
    static let maximumConnections = 16
    /// Connections the kernel may hold waiting to be accepted.
    static let backlog: Int32 = 16

    /// Listens on `address` (TCP only). `respond` runs on `loop` for every request.
    static func bind(
        _ address: TransportAddress, on loop: EventLoop,
        respond: @escaping @Sendable (HTTPRequestHead) -> HTTPReply
    ) async throws(NodeError) -> Channel {
        guard case .tcp(let host, let port) = address else {
            throw NodeError("--metrics-listen must be tcp:HOST:PORT, not \(address)")
        }
        let open = OpenConnections()
        let bootstrap = ServerBootstrap(group: loop)
            .serverChannelOption(.backlog, value: backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                guard open.admit(channel) else {
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(IdleCloser())
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(respond: respond))
                }
            }
        do {
            return try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw NodeError("cannot serve metrics on \(address): \(error)")
        }
    }
}

/// Counts the endpoint's open connections against ``MetricsServer/maximumConnections``.
private final class OpenConnections: Sendable {
    private let count = Mutex(0)

    /// Counts `channel` in until it closes; false when the endpoint is full.
    func admit(_ channel: Channel) -> Bool {
        let admitted = count.withLock { count in
            guard count < MetricsServer.maximumConnections else { return false }
            count += 1
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { _ in self.count.withLock { $0 -= 1 } }
        }
        return admitted
    }
}

/// Closes a metrics connection that has been idle for ``MetricsServer/idleTimeout``.
private final class IdleCloser: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
