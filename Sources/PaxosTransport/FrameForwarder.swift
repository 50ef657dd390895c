import NIOCore

/// Hands every inbound frame to a callback on the channel's event loop, and reports the end of the
/// connection once, with the error that ended it (`.connectionClosed` when none did).
///
/// For callers that keep their own state machine: a frame reaches it straight from the event loop,
/// with no task in between to wake (each wake costs a thread switch, which on a small machine is
/// most of what a round trip costs).
final class FrameForwarder: ChannelInboundHandler {
    typealias InboundIn = Frame

    private let onFrame: @Sendable (Frame) -> Void
    private let onClose: @Sendable (TransportError) -> Void
    private var closeReason: TransportError?
    private var reported = false

    init(onFrame: @escaping @Sendable (Frame) -> Void, onClose: @escaping @Sendable (TransportError) -> Void) {
        self.onFrame = onFrame
        self.onClose = onClose
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        onFrame(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if closeReason == nil {
            closeReason = error as? TransportError ?? TransportError(.connectionClosed, "\(error)")
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        guard !reported else { return }
        reported = true
        onClose(closeReason ?? TransportError(.connectionClosed, "connection closed"))
    }
}
