import NIOHTTP1

/// What the metrics endpoint answers to one request: a status, a content type and a body.
struct HTTPReply: Sendable, Equatable {
    var status: HTTPResponseStatus
    var contentType: String
    var body: [UInt8]

    /// A one-line plain-text answer.
    static func text(_ status: HTTPResponseStatus, _ line: String) -> HTTPReply {
        HTTPReply(status: status, contentType: "text/plain; charset=utf-8", body: Array((line + "\n").utf8))
    }
}
