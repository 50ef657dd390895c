import NIOCore

/// Runs ``ConnectionLiveness`` on a connector's connection once its handshake is established:
/// every inbound byte counts as heard (a large frame still arriving is not silence), a probe is a
/// keepalive frame written through the whole pipeline (so it is authenticated like any other
/// frame), and past the deadline the connection fails with `.unresponsive` and is closed.
///
/// It sits below the frame codec (above TLS, when there is TLS). The handshake handler starts it
/// with the outbound user event ``Start``: before the handshake, no frame but the handshake's may
/// be written, and the handshake has a deadline of its own.
public final class LivenessHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// Sent outbound by ``ConnectorHandshakeHandler`` when the listener accepted the connection.
    public struct Start: Sendable {
        public init() {}
    }

    private let configuration: ConnectionLiveness.Configuration
    private let address: TransportAddress
    private var liveness: ConnectionLiveness?
    private var timer: Scheduled<Void>?

    /// - Parameter address: where the connection goes, for the error that ends it.
    public init(configuration: ConnectionLiveness.Configuration, address: TransportAddress) {
        self.configuration = configuration
        self.address = address
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        liveness?.heard(at: context.eventLoop.now)
        context.fireChannelRead(data)
    }

    public func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is Start else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        promise?.succeed(())
        guard liveness == nil, context.channel.isActive else { return }
        liveness = ConnectionLiveness(configuration: configuration, now: context.eventLoop.now)
        scheduleCheck(context: context)
    }

    private func scheduleCheck(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: configuration.checkInterval) {
            self.check(context: context)
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    private func stop() {
        timer?.cancel()
        timer = nil
    }

    private func check(context: ChannelHandlerContext) {
        timer = nil
        guard var liveness, context.channel.isActive else { return }
        let action = liveness.check(at: context.eventLoop.now)
        self.liveness = liveness
        switch action {
        case .wait:
            scheduleCheck(context: context)
        case .probe:
            // From the tail, so the codec frames and authenticates it like any other frame.
            context.channel.writeAndFlush(Frame(kind: Hello.FrameKind.keepalive, payload: []), promise: nil)
            scheduleCheck(context: context)
        case .giveUp(let silent):
            context.fireErrorCaught(
                TransportError(
                    .unresponsive,
                    "\(address) answered nothing for \(Self.tenths(silent)) (keepalives unanswered): "
                        + "closing the connection"))
            context.close(promise: nil)
        }
    }

    /// `amount` as "1.5 s": to a tenth, which is all the timer's granularity means.
    static func tenths(_ amount: TimeAmount) -> String {
        let tenths = (amount.nanoseconds + 50_000_000) / 100_000_000
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
