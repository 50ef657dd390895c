import Logging
import NIOCore
import NIOPosix

/// A one-way link to a peer that keeps itself connected: it connects, says hello, and sends frames;
/// when the connection fails it retries with exponential backoff (50 ms doubling to 2 s).
///
/// Frames sent while disconnected are dropped: the protocol above re-sends what matters (the
/// replica re-sends unanswered accepts and heartbeats), and a bounded queue of stale messages
/// would only delay fresh ones. Lives on one event loop; every method must be called there.
public final class PeerLink {
    private enum State {
        case idle
        case connecting
        case connected(Channel)
        case waitingToRetry
        case closed
    }

    public let address: TransportAddress
    private let hello: Hello
    private let eventLoop: EventLoop
    private let logger: Logger
    private var state = State.idle
    private var backoff: TimeAmount = .milliseconds(50)
    private var loggedFailure = false

    public init(address: TransportAddress, hello: Hello, eventLoop: EventLoop, logger: Logger) {
        self.address = address
        self.hello = hello
        self.eventLoop = eventLoop
        self.logger = logger
    }

    /// True while a connection is open.
    public var isConnected: Bool {
        if case .connected = state { return true }
        return false
    }

    /// Sends `frame` if connected (flushing at once); otherwise starts connecting and drops it.
    public func send(_ frame: Frame) {
        eventLoop.preconditionInEventLoop()
        switch state {
        case .connected(let channel):
            channel.writeAndFlush(frame, promise: nil)
        case .idle:
            connect()
        case .connecting, .waitingToRetry, .closed:
            break
        }
    }

    /// Sends several frames with one flush.
    public func send(_ frames: [Frame]) {
        eventLoop.preconditionInEventLoop()
        guard case .connected(let channel) = state else {
            if case .idle = state { connect() }
            return
        }
        for frame in frames { channel.write(frame, promise: nil) }
        channel.flush()
    }

    public func close() {
        eventLoop.preconditionInEventLoop()
        if case .connected(let channel) = state { channel.close(promise: nil) }
        state = .closed
    }

    public func connect() {
        eventLoop.preconditionInEventLoop()
        guard case .idle = state else { return }
        state = .connecting
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(2))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addFrameCodec()
                }
            }
        let future = bootstrap.connect(transport: address)
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        future.whenComplete { result in
            bound.value.connectCompleted(result)
        }
    }

    private func connectCompleted(_ result: Result<Channel, Error>) {
        switch result {
        case .success(let channel):
            if case .closed = state {
                channel.close(promise: nil)
                return
            }
            state = .connected(channel)
            backoff = .milliseconds(50)
            if loggedFailure {
                logger.info("connected to peer \(address)")
                loggedFailure = false
            }
            channel.writeAndFlush(hello.frame, promise: nil)
            let bound = NIOLoopBound(self, eventLoop: eventLoop)
            channel.closeFuture.whenComplete { _ in bound.value.connectionLost() }
        case .failure(let error):
            if !loggedFailure {
                logger.info("cannot reach peer \(address) yet: \(error); retrying with backoff")
                loggedFailure = true
            }
            retryLater()
        }
    }

    private func connectionLost() {
        if case .closed = state { return }
        logger.info("connection to peer \(address) closed; reconnecting")
        loggedFailure = true
        retryLater()
    }

    private func retryLater() {
        if case .closed = state { return }
        state = .waitingToRetry
        let delay = backoff
        backoff = min(backoff * 2, .seconds(2))
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: delay) {
            let link = bound.value
            guard case .waitingToRetry = link.state else { return }
            link.state = .idle
            link.connect()
        }
    }
}
