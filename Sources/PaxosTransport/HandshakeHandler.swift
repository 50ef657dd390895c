import Logging
import NIOCore

/// Fired down the pipeline once a connection's hello has been checked and its proof accepted.
public struct HandshakeCompleted: Sendable {
    /// The connector's hello (its role, id and incarnation are now proven to come from a holder of
    /// the cluster secret).
    public var hello: Hello
}

/// The listener's side of every connection: runs ``ListenerHandshake``, then guards the
/// authenticated connection.
///
/// - Before the handshake: at most ``ConnectionLimits/handshakeTimeout``, frames of at most
///   ``FrameSizeLimit/handshake`` bytes, and a bounded number of such connections (``ConnectionLimiter``).
///   A failure is answered with a `refused` frame carrying a short generic reason, logged with the
///   precise one and the remote address, and the connection is closed; the node keeps serving.
/// - After it: every frame both ways is authenticated (``FrameAuthentication``), and one whose tag
///   does not verify closes the connection, logged ("frame N from node 2 at … failed
///   authentication"); application frames pass on; keepalives are answered with a keepalive (the
///   connector's liveness probe) and go no further; a connection from
///   which nothing was read for ``ConnectionLimits/idleTimeout`` is closed.
public final class HandshakeHandler: ChannelInboundHandler {
    public typealias InboundIn = Frame
    public typealias InboundOut = Frame
    public typealias OutboundOut = Frame

    private var handshake: ListenerHandshake
    private let limits: ConnectionLimits
    private let limiter: ConnectionLimiter?
    private let frameLimit: FrameSizeLimit?
    private let authentication: FrameAuthentication
    private let tlsPeer: TLSPeer?
    private let logger: Logger
    private var admitted = false
    private var finished = false
    private var completedHello: Hello?
    private var deadline: Scheduled<Void>?
    private var idleCheck: Scheduled<Void>?
    private var lastRead = NIODeadline.now()
    private var remote = "a local socket"

    /// - Parameters:
    ///   - limiter: counts this listener's connections; nil for no bound on their number.
    ///   - frameLimit: the decoder's limit, raised once the connector is authenticated.
    ///   - authentication: the codec's frame authentication, started once the connector is authenticated.
    ///   - tlsPeer: on a TLS connection, the identity its certificate proved; the hello must match it.
    ///   - nonce: this connection's listener nonce (fresh random bytes by default).
    public init(
        clusterID: UInt64, localID: UInt32, secret: ClusterSecret, limits: ConnectionLimits = ConnectionLimits(),
        limiter: ConnectionLimiter? = nil, frameLimit: FrameSizeLimit? = nil, authentication: FrameAuthentication,
        tlsPeer: TLSPeer? = nil, logger: Logger, nonce: [UInt8] = HandshakeNonce.random()
    ) {
        handshake = ListenerHandshake(clusterID: clusterID, localID: localID, secret: secret, nonce: nonce)
        self.limits = limits
        self.limiter = limiter
        self.frameLimit = frameLimit
        self.authentication = authentication
        self.tlsPeer = tlsPeer
        self.logger = logger
    }

    public func channelActive(context: ChannelHandlerContext) {
        remote = Self.describe(remote: context.remoteAddress)
        if let limiter {
            switch limiter.admit() {
            case .admitted:
                admitted = true
            case .refused(let warning):
                if let warning { logger.warning("\(warning)") }
                finished = true
                context.close(promise: nil)
                return
            }
        }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: limits.handshakeTimeout) {
            self.handshakeExpired(context: context)
        }
        context.fireChannelActive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if completedHello != nil {
            lastRead = .now()
            guard frame.kind != Hello.FrameKind.keepalive else {
                // The connector's liveness probe: answering it is how a connector tells a silent
                // listener from an idle one (``ConnectionLiveness``).
                context.writeAndFlush(
                    wrapOutboundOut(Frame(kind: Hello.FrameKind.keepalive, payload: [])), promise: nil)
                return
            }
            context.fireChannelRead(data)
            return
        }
        guard !finished else { return }
        switch handshake.receive(frame) {
        case .send(let challenge):
            context.writeAndFlush(wrapOutboundOut(challenge), promise: nil)
        case .accept(let hello, let reply):
            if let tlsPeer, let mismatch = tlsPeer.mismatch(with: hello) {
                refuse(
                    context: context,
                    ListenerHandshake.Refusal(reply: ListenerHandshake.Refusal.certificateMismatch, reason: mismatch))
                return
            }
            completedHello = hello
            deadline?.cancel()
            deadline = nil
            limiter?.authenticated()
            frameLimit?.raise()
            lastRead = .now()
            scheduleIdleCheck(context: context, in: limits.idleTimeout)
            // The connector's frames after its proof are authenticated, and this side's after the
            // acceptance, which goes out with the checksum only (the encoder runs in the write).
            guard let keys = handshake.sessionKeys else { preconditionFailure("an accepted handshake has keys") }
            let tagged = FrameAuthentication.isNeeded(on: context.channel)
            if tagged { authentication.startInbound(key: keys.connectorToListener, from: describe(context)) }
            context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
            if tagged { authentication.startOutbound(key: keys.listenerToConnector) }
            context.fireUserInboundEventTriggered(HandshakeCompleted(hello: hello))
        case .refuse(let refusal):
            refuse(context: context, refusal)
        case .abandoned(let reason):
            finished = true
            deadline?.cancel()
            deadline = nil
            logger.warning("connection from \(describe(context)) failed: \(reason)")
            context.close(promise: nil)
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Garbage, an oversized frame or a reset: drop this connection only.
        if completedHello != nil {
            if let error = error as? TransportError, error.code == .frameAuthenticationFailed {
                logger.warning("\(error)")  // names the frame and the caller
            } else {
                logger.warning("closing connection from \(describe(context)): \(error)")
            }
            context.close(promise: nil)
        } else {
            refuse(
                context: context,
                ListenerHandshake.Refusal(reply: ListenerHandshake.Refusal.protocolError, reason: "\(error)"))
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        // The slot is free now, not when the pipeline is torn down a moment later: a new
        // connection accepted in between must not be refused for a connection that is gone.
        release()
        if !finished && completedHello == nil {
            finished = true
            logger.info("connection from \(describe(context)) closed before completing the handshake")
        }
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        idleCheck?.cancel()
        release()
    }

    private func release() {
        guard admitted else { return }
        admitted = false
        limiter?.release(wasAuthenticated: completedHello != nil)
    }

    private func handshakeExpired(context: ChannelHandlerContext) {
        deadline = nil
        guard completedHello == nil, !finished else { return }
        refuse(
            context: context,
            ListenerHandshake.Refusal(
                reply: ListenerHandshake.Refusal.timedOut,
                reason: "no completed handshake within \(Self.seconds(limits.handshakeTimeout))"))
    }

    private func scheduleIdleCheck(context: ChannelHandlerContext, in delay: TimeAmount) {
        idleCheck = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.checkIdle(context: context)
        }
    }

    private func checkIdle(context: ChannelHandlerContext) {
        idleCheck = nil
        guard context.channel.isActive else { return }
        let silent = NIODeadline.now() - lastRead
        if silent >= limits.idleTimeout {
            logger.info(
                "closing connection from \(describe(context)): nothing read for \(Self.seconds(limits.idleTimeout))")
            context.close(promise: nil)
        } else {
            scheduleIdleCheck(context: context, in: limits.idleTimeout - silent)
        }
    }

    private func refuse(context: ChannelHandlerContext, _ refusal: ListenerHandshake.Refusal) {
        guard !finished else { return }
        finished = true
        deadline?.cancel()
        deadline = nil
        logger.warning("refused connection from \(describe(context)): \(refusal.reason)")
        let frame = Frame(kind: Hello.FrameKind.refused, payload: Array(refusal.reply.utf8))
        // The flush writes the frame to the socket at once when it can; the other side then sees why.
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        context.close(promise: nil)
    }

    /// The remote address (or "a local socket"), and once authenticated who it is.
    private func describe(_ context: ChannelHandlerContext) -> String {
        guard let hello = completedHello else {
            return tlsPeer?.identity.map { "\(remote) (certificate of \($0))" } ?? remote
        }
        return "\(ListenerHandshake.describe(hello)) at \(remote)"
    }

    /// "127.0.0.1:50112", "[::1]:50112", or "a local socket" for a Unix socket.
    static func describe(remote address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return "a local socket" }
        return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// `amount` as "5 s" or "0.25 s".
    static func seconds(_ amount: TimeAmount) -> String {
        let seconds = Double(amount.nanoseconds) / 1e9
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
