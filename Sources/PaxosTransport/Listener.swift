import Foundation
import Logging
import NIOCore
import NIOPosix

/// Binds a listening socket and gives every accepted connection the frame codec and the handshake.
public enum Listener {
    /// Listens on `address`. A Unix socket file left behind by a killed process is replaced, but
    /// one that a live process still accepts connections on is not: taking it over would cut that
    /// process off silently (a second node given the same `--listen`), so that is an error. The
    /// socket is made 0600.
    ///
    /// Every connection must complete the authenticated handshake (``HandshakeHandler``) within
    /// the limits before the application sees anything of it.
    ///
    /// - Parameters:
    ///   - secret: the cluster secret connectors must prove they hold.
    ///   - limits: the handshake deadline, the connection caps and the idle timeout.
    ///   - security: on TCP, mutual TLS before the handshake (see ``TransportSecurity``); nil for
    ///     plain TCP. A Unix socket never runs TLS.
    ///   - configure: adds the application's handlers after the handshake handler.
    public static func bind(
        _ address: TransportAddress, group: EventLoopGroup, clusterID: UInt64, localID: UInt32,
        secret: ClusterSecret, security: TransportSecurity? = nil, limits: ConnectionLimits = ConnectionLimits(),
        maximumFrameSize: Int = Frame.defaultMaximumSize, logger: Logger,
        configure: @escaping @Sendable (Channel) throws -> Void
    ) async throws -> Channel {
        let limiter = ConnectionLimiter(limits: limits)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: limits.maximumQueuedBytes / 2, high: limits.maximumQueuedBytes)
            )
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tlsPeer = try channel.pipeline.syncOperations.addTLSHandlers(
                        security: security, address: address, side: .listener)
                    let frameLimit = FrameSizeLimit(authenticated: maximumFrameSize)
                    let authentication = FrameAuthentication()
                    try channel.pipeline.syncOperations.addFrameCodec(
                        maximumFrameSize: maximumFrameSize, limit: frameLimit, authentication: authentication)
                    try channel.pipeline.syncOperations.addHandler(
                        HandshakeHandler(
                            clusterID: clusterID, localID: localID, secret: secret, limits: limits, limiter: limiter,
                            frameLimit: frameLimit, authentication: authentication, tlsPeer: tlsPeer, logger: logger))
                    try configure(channel)
                }
            }
        switch address {
        case .unix(let path):
            if UnixSocketProbe.isAccepting(path) {
                throw TransportError(
                    .addressInUse, "another process is listening on unix:\(path); stop it or choose another --listen")
            }
            let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
            chmod(path, 0o600)
            return channel
        case .tcp(let host, let port):
            return try await bootstrap.bind(host: host, port: port).get()
        }
    }
}
