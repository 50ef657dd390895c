import NIOCore
import NIOHTTP1

/// Answers the requests of one HTTP/1 connection to the metrics endpoint. NIO's HTTP/1 codec
/// (`configureHTTPServerPipeline`) parses the requests; this handler only routes a whole request
/// (head to end) to `respond` and writes the reply, keeping the connection open when asked.
///
/// `respond` runs on the connection's event loop, which is the node's: it may read the node's state.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: (HTTPRequestHead) -> HTTPReply
    private var request: HTTPRequestHead?

    init(respond: @escaping (HTTPRequestHead) -> HTTPReply) {
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break  // GET has no body; anything sent is ignored
        case .end:
            guard let head = request else { return }
            request = nil
            write(respond(head), for: head, context: context)
        }
    }

    private func write(_ reply: HTTPReply, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = request.isKeepAlive
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: reply.contentType)
        headers.add(name: "Content-Length", value: "\(reply.body.count)")
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: request.version, status: reply.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: reply.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
