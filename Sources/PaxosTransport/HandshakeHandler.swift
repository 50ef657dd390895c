import Logging
import NIOCore

/// Fired down the pipeline once a connection's hello has been checked and accepted.
public struct HandshakeCompleted: Sendable {
    public var hello: Hello
}

/// The listener's side of the handshake: the first frame must be a hello for our cluster and a
/// version we speak. Anything else is answered with a `refused` frame naming the problem, logged,
/// and the connection is closed; the node keeps serving everyone else.
public final class HandshakeHandler: ChannelInboundHandler {
    public typealias InboundIn = Frame
    public typealias InboundOut = Frame
    public typealias OutboundOut = Frame

    private let clusterID: UInt64
    private let localID: UInt32
    private let logger: Logger
    private var completed = false

    public init(clusterID: UInt64, localID: UInt32, logger: Logger) {
        self.clusterID = clusterID
        self.localID = localID
        self.logger = logger
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !completed else {
            context.fireChannelRead(data)
            return
        }
        do {
            let hello = try Hello(frame: frame)
            guard hello.version == Hello.currentVersion else {
                throw TransportError(
                    .handshakeRefused, "protocol version \(hello.version) is not \(Hello.currentVersion)")
            }
            guard hello.clusterID == clusterID else {
                throw TransportError(
                    .handshakeRefused,
                    "cluster id \(String(hello.clusterID, radix: 16)) is not this cluster's \(String(clusterID, radix: 16))"
                )
            }
            completed = true
            var ack: [UInt8] = []
            withUnsafeBytes(of: localID.littleEndian) { ack += $0 }
            context.writeAndFlush(
                wrapOutboundOut(Frame(kind: Hello.FrameKind.helloAccepted, payload: ack)), promise: nil)
            context.fireUserInboundEventTriggered(HandshakeCompleted(hello: hello))
        } catch {
            refuse(context: context, reason: "\(error)")
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Garbage, an oversized frame or a reset: drop this connection only.
        if completed {
            logger.warning("closing connection from \(remote(context)): \(error)")
            context.close(promise: nil)
        } else {
            refuse(context: context, reason: "\(error)")
        }
    }

    private func refuse(context: ChannelHandlerContext, reason: String) {
        logger.warning("refused connection from \(remote(context)): \(reason)")
        let frame = Frame(kind: Hello.FrameKind.refused, payload: Array(reason.utf8))
        // The flush writes the frame to the socket at once when it can; the peer then sees why.
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        context.close(promise: nil)
    }

    private func remote(_ context: ChannelHandlerContext) -> String {
        context.remoteAddress.map { "\($0)" } ?? "a local socket"
    }
}
