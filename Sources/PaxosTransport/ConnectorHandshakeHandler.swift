import Logging
import NIOCore

/// The connector's side of every connection: sends the hello when the connection opens, checks
/// the listener's proof and answers with its own (``ConnectorHandshake``).
///
/// What the layers above see:
/// - the listener's `helloAccepted` frame, once the handshake succeeded, then every frame after it
///   (keepalives excepted); `completion`, if given, succeeds with the channel;
/// - the listener's `refused` frame, if it refused (`completion` fails with `.handshakeRefused`);
/// - an error (`.authenticationFailed` for a listener that failed its proof, `.unexpectedNode` for
///   a member other than the one expected at this address, `.timedOut`,
///   `.malformedFrame`), after which the connection is closed and `completion` fails with it.
///
/// Once the listener accepted, every frame both ways is authenticated (``FrameAuthentication``): a
/// frame whose tag does not verify closes the connection, logged when a logger was given, and the
/// error goes on to the layers above.
///
/// The application must not write before the handshake succeeded: such frames would reach the
/// listener in place of the proof.
public final class ConnectorHandshakeHandler: ChannelInboundHandler {
    public typealias InboundIn = Frame
    public typealias InboundOut = Frame
    public typealias OutboundOut = Frame

    private var handshake: ConnectorHandshake
    private let address: TransportAddress
    private let timeout: TimeAmount
    private let frameLimit: FrameSizeLimit?
    private let authentication: FrameAuthentication
    private let logger: Logger?
    private let completion: EventLoopPromise<Channel>?
    private var established = false
    private var ended = false
    private var deadline: Scheduled<Void>?

    /// - Parameters:
    ///   - hello: who is connecting (a fresh nonce is put in).
    ///   - expectedListenerID: the node that should answer at `address`, when the caller knows it.
    ///   - address: where to, for messages.
    ///   - timeout: how long the listener has to complete the handshake.
    ///   - frameLimit: the decoder's limit, raised once the listener accepted.
    ///   - authentication: the codec's frame authentication, started once the listener accepted.
    ///   - logger: where a connection closed for a bad frame after the handshake is logged.
    ///   - completion: completed with the channel when the handshake succeeds, or with its failure.
    public init(
        hello: Hello, secret: ClusterSecret, expectedListenerID: UInt32? = nil, address: TransportAddress,
        timeout: TimeAmount = .seconds(5), frameLimit: FrameSizeLimit? = nil, authentication: FrameAuthentication,
        logger: Logger? = nil, completion: EventLoopPromise<Channel>? = nil
    ) {
        handshake = ConnectorHandshake(hello: hello, secret: secret, expectedListenerID: expectedListenerID)
        self.address = address
        self.timeout = timeout
        self.frameLimit = frameLimit
        self.authentication = authentication
        self.logger = logger
        self.completion = completion
    }

    public func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(handshake.helloFrame), promise: nil)
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.fail(
                context: context,
                TransportError(
                    .timedOut,
                    "\(self.address) did not complete the handshake within \(HandshakeHandler.seconds(self.timeout))"))
        }
        context.fireChannelActive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if established {
            guard frame.kind != Hello.FrameKind.keepalive else { return }
            context.fireChannelRead(data)
            return
        }
        guard !ended else { return }
        switch handshake.receive(frame) {
        case .send(let proof):
            context.writeAndFlush(wrapOutboundOut(proof), promise: nil)
        case .established:
            established = true
            deadline?.cancel()
            deadline = nil
            frameLimit?.raise()
            // Every frame after the acceptance, both ways, is authenticated; the decoder checks the
            // next one (even one already buffered) with these keys.
            guard let keys = handshake.sessionKeys else { preconditionFailure("an established handshake has keys") }
            if FrameAuthentication.isNeeded(on: context.channel) {
                authentication.startInbound(key: keys.listenerToConnector, from: "\(address)")
                authentication.startOutbound(key: keys.connectorToListener)
            }
            // Liveness checks start now (a no-op without a ``LivenessHandler``): nothing but the
            // handshake may be written before this point.
            context.triggerUserOutboundEvent(LivenessHandler.Start(), promise: nil)
            completion?.succeed(context.channel)
            context.fireChannelRead(data)
        case .refused(let reason):
            ended = true
            deadline?.cancel()
            deadline = nil
            completion?.fail(TransportError(.handshakeRefused, "\(address) refused the connection: \(reason)"))
            context.fireChannelRead(data)
        case .failed(let error):
            // Tell the listener, so its log says why this connection ended; nothing more.
            let reply: String? =
                switch error.code {
                case .authenticationFailed: ListenerHandshake.Refusal.authenticationFailed
                case .unexpectedNode: ListenerHandshake.Refusal.unexpectedNode
                default: nil
                }
            if let reply {
                context.writeAndFlush(
                    wrapOutboundOut(Frame(kind: Hello.FrameKind.refused, payload: Array(reply.utf8))), promise: nil)
            }
            fail(context: context, TransportError(error.code, "\(address) \(error.message)"))
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A frame that failed its checksum or its tag, or an oversized one: nothing after it can be
        // trusted, so the connection ends here. Socket errors pass on as they are.
        guard let error = error as? TransportError else {
            context.fireErrorCaught(error)
            return
        }
        if established {
            if !ended {
                ended = true
                logger?.warning("closing connection to \(address): \(error)")
            }
            context.fireErrorCaught(error)
            context.close(promise: nil)
        } else {
            fail(context: context, TransportError(error.code, "\(address): \(error.message)"))
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        completion?.fail(
            TransportError(.connectionClosed, "\(address) closed the connection during the handshake"))
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        completion?.fail(TransportError(.connectionClosed, "the connection to \(address) was closed"))
    }

    private func fail(context: ChannelHandlerContext, _ error: TransportError) {
        guard !ended else { return }
        ended = true
        deadline?.cancel()
        deadline = nil
        completion?.fail(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}
