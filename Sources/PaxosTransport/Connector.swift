import NIOCore
import NIOPosix

/// Opens connections to a listener and performs the caller's side of the handshake.
public enum Connector {
    /// Connects to `address`, sends `hello` and waits for the listener to accept it.
    ///
    /// - Returns: an async channel of frames, past the handshake.
    /// - Throws: `TransportError` naming the address when the connection or the handshake fails.
    public static func connect(
        to address: TransportAddress, hello: Hello, group: EventLoopGroup,
        maximumFrameSize: Int = Frame.defaultMaximumSize, timeout: TimeAmount = .seconds(5)
    ) async throws -> NIOAsyncChannel<Frame, Frame> {
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        let initializer: @Sendable (Channel) -> EventLoopFuture<NIOAsyncChannel<Frame, Frame>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addFrameCodec(maximumFrameSize: maximumFrameSize)
                return try NIOAsyncChannel<Frame, Frame>(wrappingChannelSynchronously: channel)
            }
        }
        let channel: NIOAsyncChannel<Frame, Frame>
        do {
            switch address {
            case .unix(let path):
                channel = try await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: initializer)
            case .tcp(let host, let port):
                if let literal = address.ipLiteral {
                    channel = try await bootstrap.connect(to: literal, channelInitializer: initializer)
                } else {
                    channel = try await bootstrap.connect(host: host, port: port, channelInitializer: initializer)
                }
            }
        } catch {
            throw TransportError(.connectFailed, "cannot connect to \(address): \(describeConnectError(error))")
        }
        try await channel.channel.writeAndFlush(hello.frame)
        return channel
    }

    /// Connects to `address` and sends `hello`, delivering every frame that comes back (the
    /// listener's answer to the hello first) to `onFrame` on the channel's event loop, and the
    /// end of the connection to `onClose`, once.
    ///
    /// - Returns: the channel, for writing frames and closing.
    /// - Throws: `TransportError` naming the address when the connection cannot be opened.
    public static func connect(
        to address: TransportAddress, hello: Hello, group: EventLoopGroup, timeout: TimeAmount = .seconds(5),
        maximumFrameSize: Int = Frame.defaultMaximumSize, onFrame: @escaping @Sendable (Frame) -> Void,
        onClose: @escaping @Sendable (String) -> Void
    ) async throws -> Channel {
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addFrameCodec(maximumFrameSize: maximumFrameSize)
                    try channel.pipeline.syncOperations.addHandler(FrameForwarder(onFrame: onFrame, onClose: onClose))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(transport: address).get()
        } catch {
            throw TransportError(.connectFailed, "cannot connect to \(address): \(describeConnectError(error))")
        }
        channel.writeAndFlush(hello.frame, promise: nil)
        return channel
    }

    /// Reads the listener's answer to the hello: its node id, or the reason it refused.
    public static func awaitAcceptance(
        _ iterator: inout NIOAsyncChannelInboundStream<Frame>.AsyncIterator, address: TransportAddress
    ) async throws -> UInt32 {
        guard let frame = try await iterator.next() else {
            throw TransportError(.connectionClosed, "\(address) closed the connection during the handshake")
        }
        switch frame.kind {
        case Hello.FrameKind.helloAccepted where frame.payload.count == 4:
            return frame.payload.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
        case Hello.FrameKind.refused:
            throw TransportError(
                .handshakeRefused,
                "\(address) refused the connection: \(String(decoding: frame.payload, as: UTF8.self))")
        default:
            throw TransportError(.malformedFrame, "\(address) answered the hello with frame kind \(frame.kind)")
        }
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
    guard let io = error as? IOError else { return "\(error)" }
    let reason = String(cString: strerror(io.errnoCode))
    switch io.errnoCode {
    case ENOENT: return "\(reason.lowercased()) (no socket there: is the node running?)"
    case ECONNREFUSED: return "\(reason.lowercased()) (is the node running?)"
    default: return reason.lowercased()
    }
}
