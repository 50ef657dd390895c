import Logging
import NIOCore
import NIOPosix

/// Opens connections to a listener and performs the caller's side of the handshake
/// (``ConnectorHandshakeHandler``).
public enum Connector {
    /// Connects to `address` and starts the handshake; read the outcome with
    /// ``awaitAcceptance(_:address:)`` before writing anything.
    ///
    /// - Parameters:
    ///   - expecting: the node id that should answer at `address`, when the caller knows it; a
    ///     member answering as another node is refused (`.unexpectedNode`) before this side proves
    ///     anything.
    ///   - security: on TCP, mutual TLS before the handshake, and the certificate of the node
    ///     `expecting` names required (see ``TransportSecurity``); nil for plain TCP.
    ///   - timeout: for the connection, and again for the handshake.
    ///   - liveness: once established, the connection is probed when quiet and fails with
    ///     `.unresponsive` when silent past the deadline (``ConnectionLiveness``); nil for none.
    /// - Returns: an async channel of frames; the first inbound frame answers the handshake.
    /// - Throws: `TransportError` naming the address when the connection cannot be opened.
    public static func connect(
        to address: TransportAddress, expecting expectedListenerID: UInt32? = nil, hello: Hello,
        secret: ClusterSecret, security: TransportSecurity? = nil, group: EventLoopGroup,
        maximumFrameSize: Int = Frame.defaultMaximumSize, timeout: TimeAmount = .seconds(5),
        liveness: ConnectionLiveness.Configuration? = .client
    ) async throws -> NIOAsyncChannel<Frame, Frame> {
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        let initializer: @Sendable (Channel) -> EventLoopFuture<NIOAsyncChannel<Frame, Frame>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addConnectorHandlers(
                    hello: hello, secret: secret, security: security, expectedListenerID: expectedListenerID,
                    address: address, maximumFrameSize: maximumFrameSize, timeout: timeout, liveness: liveness)
                return try NIOAsyncChannel<Frame, Frame>(wrappingChannelSynchronously: channel)
            }
        }
        do {
            switch address {
            case .unix(let path):
                return try await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: initializer)
            case .tcp(let host, let port):
                if let literal = address.ipLiteral {
                    return try await bootstrap.connect(to: literal, channelInitializer: initializer)
                } else {
                    return try await bootstrap.connect(host: host, port: port, channelInitializer: initializer)
                }
            }
        } catch {
            throw TransportError(.connectFailed, "cannot connect to \(address): \(describeConnectError(error))")
        }
    }

    /// Connects to `address` and starts the handshake, delivering every frame that comes back (the
    /// listener's `helloAccepted` or `refused` first) to `onFrame` on the channel's event loop, and
    /// the end of the connection to `onClose`, once, with the reason (`.authenticationFailed` for a
    /// listener that failed its proof, `.unexpectedNode` for a member answering as another node than
    /// `expecting`, `.unresponsive` for one that went silent, see ``ConnectionLiveness``). Write
    /// nothing before `helloAccepted` arrived.
    ///
    /// - Returns: the channel, for writing frames and closing.
    /// - Throws: `TransportError` naming the address when the connection cannot be opened.
    public static func connect(
        to address: TransportAddress, expecting expectedListenerID: UInt32? = nil, hello: Hello,
        secret: ClusterSecret, security: TransportSecurity? = nil, group: EventLoopGroup,
        timeout: TimeAmount = .seconds(5), maximumFrameSize: Int = Frame.defaultMaximumSize,
        liveness: ConnectionLiveness.Configuration? = .client,
        onFrame: @escaping @Sendable (Frame) -> Void, onClose: @escaping @Sendable (TransportError) -> Void
    ) async throws -> Channel {
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addConnectorHandlers(
                        hello: hello, secret: secret, security: security, expectedListenerID: expectedListenerID,
                        address: address, maximumFrameSize: maximumFrameSize, timeout: timeout, liveness: liveness)
                    try channel.pipeline.syncOperations.addHandler(FrameForwarder(onFrame: onFrame, onClose: onClose))
                }
            }
        do {
            return try await bootstrap.connect(transport: address).get()
        } catch {
            throw TransportError(.connectFailed, "cannot connect to \(address): \(describeConnectError(error))")
        }
    }

    /// Reads the listener's answer to the handshake: its node id, or why the connection failed.
    ///
    /// - Throws: `TransportError`: `.handshakeRefused` with the listener's (generic) reason,
    ///   `.authenticationFailed` for a listener that could not prove it holds the secret, or why
    ///   the connection ended.
    public static func awaitAcceptance(
        _ iterator: inout NIOAsyncChannelInboundStream<Frame>.AsyncIterator, address: TransportAddress
    ) async throws -> UInt32 {
        guard let frame = try await iterator.next() else {
            throw TransportError(.connectionClosed, "\(address) closed the connection during the handshake")
        }
        var reader = ByteReader(frame.payload)
        switch frame.kind {
        case Hello.FrameKind.helloAccepted where frame.payload.count == 4:
            return reader.integer(UInt32.self) ?? 0
        case Hello.FrameKind.refused:
            throw TransportError(
                .handshakeRefused,
                "\(address) refused the connection: \(ConnectorHandshake.describeRefusal(frame.payload))")
        default:
            throw TransportError(.malformedFrame, "\(address) answered the hello with frame kind \(frame.kind)")
        }
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// The connector's handlers: the frame codec, with the low handshake limit until the listener
    /// accepts and authenticated frames after, and the handshake.
    ///
    /// - Parameters:
    ///   - security: on a TCP `address`, TLS first (``TransportSecurity``); nil for plain TCP.
    ///   - logger: where a connection closed for a bad frame (or for silence) after the handshake is logged.
    ///   - liveness: the liveness check once the handshake is established (``LivenessHandler``);
    ///     nil for none.
    public func addConnectorHandlers(
        hello: Hello, secret: ClusterSecret, security: TransportSecurity? = nil, expectedListenerID: UInt32? = nil,
        address: TransportAddress,
        maximumFrameSize: Int = Frame.defaultMaximumSize,
        timeout: TimeAmount = .seconds(5), liveness: ConnectionLiveness.Configuration? = .client,
        logger: Logger? = nil, completion: EventLoopPromise<Channel>? = nil
    ) throws {
        _ = try addTLSHandlers(
            security: security, address: address, side: .connector(expecting: expectedListenerID))
        if let liveness {
            try addHandler(LivenessHandler(configuration: liveness, address: address))
        }
        let limit = FrameSizeLimit(authenticated: maximumFrameSize)
        let authentication = FrameAuthentication()
        try addFrameCodec(maximumFrameSize: maximumFrameSize, limit: limit, authentication: authentication)
        try addHandler(
            ConnectorHandshakeHandler(
                hello: hello, secret: secret, expectedListenerID: expectedListenerID, address: address,
                timeout: timeout, frameLimit: limit, authentication: authentication, logger: logger,
                completion: completion))
    }
}

extension ClientBootstrap {
    /// Connects to a Unix socket path or a TCP host (an IP literal directly, without NIO's resolver).
    func connect(transport address: TransportAddress) -> EventLoopFuture<Channel> {
        switch address {
        case .unix(let path):
            return connect(unixDomainSocketPath: path)
        case .tcp(let host, let port):
            return address.ipLiteral.map { connect(to: $0) } ?? connect(host: host, port: port)
        }
    }
}

/// A connect failure in words: NIO's `IOError` prints the failing call and its arguments
/// ("connect(descriptor:addr:size:): No such file or directory (errno: 2)"); a user needs the
/// reason and, for the usual ones, what it means here.
func describeConnectError(_ error: Error) -> String {
    if case ChannelError.connectTimeout(let amount) = error {
        return "no answer within \(HandshakeHandler.seconds(amount)) (the host is down or cut off?)"
    }
    guard let io = error as? IOError else { return "\(error)" }
    let reason = String(cString: strerror(io.errnoCode))
    switch io.errnoCode {
    case ENOENT: return "\(reason.lowercased()) (no socket there: is the node running?)"
    case ECONNREFUSED: return "\(reason.lowercased()) (is the node running?)"
    default: return reason.lowercased()
    }
}
