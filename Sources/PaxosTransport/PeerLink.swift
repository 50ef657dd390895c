import Logging
import NIOCore
import NIOPosix

/// A one-way link to a peer that keeps itself connected: it connects, completes the authenticated
/// handshake, and sends frames; when the connection or the handshake fails it retries with
/// ``ReconnectBackoff`` (50 ms doubling to 1 s, reset by a successful handshake).
///
/// Nothing comes back on the link but the answers to its liveness probes: when it has heard
/// nothing for the liveness configuration's `probeAfter` it sends a keepalive, which the peer
/// answers, and when it has heard nothing for its `deadline` the peer is silent (frozen, cut off)
/// and the link closes and redials (``ConnectionLiveness``). A link is thus never left in TCP's
/// retransmission backoff, and a peer that comes back is dialled again within the backoff cap.
/// The probes also keep the peer's idle timeout from closing a healthy link.
///
/// Frames sent while disconnected (or still in the handshake) are dropped: the protocol above
/// re-sends what matters (the replica re-sends unanswered accepts and heartbeats), and a bounded
/// queue of stale messages would only delay fresh ones. So are frames sent while the peer does not
/// read (frozen, or far behind): the bytes queued for its socket are bounded by `backlogLimit`
/// (NIO's write-buffer high watermark), beyond which frames are dropped and counted, and the
/// link says so once per episode. Lives on one event loop; every method must be called there.
public final class PeerLink {
    private enum State {
        case idle
        /// Connecting, then in the handshake once the channel exists.
        case connecting(Channel?)
        case connected(Channel)
        case waitingToRetry
        case closed
    }

    public let address: TransportAddress
    /// The node that must answer at `address`; any other member is refused before the handshake
    /// completes, so a relay at a dead node's address cannot pass this node's handshake to another.
    public let expectedID: UInt32
    private let hello: Hello
    private let secret: ClusterSecret
    private let security: TransportSecurity?
    private let liveness: ConnectionLiveness.Configuration
    private let eventLoop: EventLoop
    private let logger: Logger
    private var state = State.idle
    private var backoff = ReconnectBackoff()
    private var lastFailure: String?
    /// Frames dropped because the peer was not reading, since the link was made; and in the
    /// current episode (reset when a frame goes through again).
    public private(set) var framesDroppedWhileBacklogged = 0
    /// Told of every failure to connect and every lost connection (each attempt, not only the
    /// first of a run as the log is), so a process can count them by kind.
    public var onFailure: ((PeerLinkFailure) -> Void)?
    private var droppedThisEpisode = 0

    /// The most bytes queued for a peer's socket: a pipeline's worth of accepts (8 MiB) and a
    /// catch-up chunk (4 MiB) fit; a peer that stops reading costs no more than this.
    public static let backlogLimit = 16 << 20

    /// The longest one attempt may take to connect, and again to complete the handshake: a peer
    /// that is frozen accepts the connection (its kernel does) and never answers the hello.
    static let attemptTimeout = TimeAmount.seconds(2)

    /// - Parameters:
    ///   - expecting: the node id of the peer at `address`.
    ///   - hello: this node's hello (a fresh nonce goes into each connection's copy).
    ///   - secret: the cluster secret the handshake proves.
    ///   - security: on TCP, mutual TLS first, requiring the peer's certificate to name `expecting`.
    ///   - liveness: when to probe a quiet peer and when to give up on a silent one.
    public init(
        address: TransportAddress, expecting expectedID: UInt32, hello: Hello, secret: ClusterSecret,
        security: TransportSecurity? = nil,
        liveness: ConnectionLiveness.Configuration = .peer(electionTimeout: .seconds(1)), eventLoop: EventLoop,
        logger: Logger
    ) {
        self.address = address
        self.expectedID = expectedID
        self.hello = hello
        self.secret = secret
        self.security = security
        self.liveness = liveness
        self.eventLoop = eventLoop
        // Every line about this link names the peer, as metadata too (a JSON log's `peer` key).
        var logger = logger
        logger[metadataKey: "peer"] = "\(address)"
        logger[metadataKey: "peer_id"] = "\(expectedID)"
        self.logger = logger
    }

    /// True while an authenticated connection is open.
    public var isConnected: Bool {
        if case .connected = state { return true }
        return false
    }

    /// Sends `frame` if connected (flushing at once); otherwise starts connecting and drops it.
    public func send(_ frame: Frame) {
        eventLoop.preconditionInEventLoop()
        switch state {
        case .connected(let channel):
            if write(frame, to: channel) { channel.flush() }
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
        var wrote = false
        for frame in frames where write(frame, to: channel) { wrote = true }
        if wrote { channel.flush() }
    }

    /// Queues `frame` unless the peer's backlog is full; false when it was dropped.
    private func write(_ frame: Frame, to channel: Channel) -> Bool {
        guard channel.isWritable else {
            if droppedThisEpisode == 0 {
                logger.warning(
                    "peer \(address) is not reading: \(Self.backlogLimit >> 20) MiB are queued for it; dropping frames until it catches up (the protocol re-sends what matters)"
                )
            }
            droppedThisEpisode += 1
            framesDroppedWhileBacklogged += 1
            return false
        }
        if droppedThisEpisode > 0 {
            logger.notice("peer \(address) reads again; \(droppedThisEpisode) frames were dropped meanwhile")
            droppedThisEpisode = 0
        }
        channel.write(frame, promise: nil)
        return true
    }

    public func close() {
        eventLoop.preconditionInEventLoop()
        switch state {
        case .connected(let channel), .connecting(.some(let channel)):
            channel.close(promise: nil)
        case .idle, .connecting(.none), .waitingToRetry, .closed:
            break
        }
        state = .closed
    }

    public func connect() {
        eventLoop.preconditionInEventLoop()
        guard case .idle = state else { return }
        state = .connecting(nil)
        let handshake = eventLoop.makePromise(of: Channel.self)
        let (hello, secret, security) = (self.hello, self.secret, self.security)
        let (address, expectedID) = (self.address, self.expectedID)
        let (logger, liveness) = (self.logger, self.liveness)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(Self.attemptTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.writeBufferWaterMark, value: .init(low: Self.backlogLimit / 2, high: Self.backlogLimit))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addConnectorHandlers(
                        hello: hello, secret: secret, security: security, expectedListenerID: expectedID,
                        address: address, timeout: Self.attemptTimeout, liveness: liveness, logger: logger,
                        completion: handshake)
                }
            }
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        bootstrap.connect(transport: address).whenComplete { result in
            switch result {
            case .success(let channel):
                bound.value.connected(channel)
            case .failure(let error):
                handshake.fail(error)
                bound.value.failed(
                    "cannot reach peer \(address) yet: \(describeConnectError(error))", kind: .unreachable)
            }
        }
        handshake.futureResult.whenComplete { result in
            bound.value.handshakeCompleted(result)
        }
    }

    /// The socket is open; the handshake runs.
    private func connected(_ channel: Channel) {
        switch state {
        case .connecting:
            state = .connecting(channel)
        case .connected(let current) where current === channel:
            break  // the handshake's answer was handled first
        default:
            channel.close(promise: nil)
            return
        }
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        channel.closeFuture.whenComplete { _ in bound.value.channelClosed(channel) }
    }

    private func handshakeCompleted(_ result: Result<Channel, Error>) {
        switch result {
        case .success(let channel):
            guard case .connecting = state else {
                channel.close(promise: nil)
                return
            }
            state = .connected(channel)
            backoff.succeeded()
            if lastFailure != nil {
                logger.info("connected to peer \(address) (node \(expectedID))")
                lastFailure = nil
            }
        case .failure(let error as TransportError) where error.code == .authenticationFailed:
            // A listener that is not a member (or has another secret): say so each time it changes.
            onFailure?(.authenticationFailed)
            report("peer \(error)", level: .warning)
        case .failure(let error as TransportError) where error.code == .handshakeRefused:
            onFailure?(.handshakeRefused)
            report("peer \(error)", level: .warning)
        case .failure(let error as TransportError) where error.code == .unexpectedNode:
            // Another member answers at this peer's address (or presents another member's
            // certificate): a wrong configuration or a relay.
            onFailure?(.unexpectedNode)
            report("peer \(error)", level: .warning)
        case .failure(let error as TransportError) where error.code == .tlsFailed:
            // Another CA, an expired certificate, or a peer without TLS: it will not fix itself.
            onFailure?(.tls)
            report("peer \(error)", level: .warning)
        case .failure:
            // The socket failed or closed; its close, or the connect failure, brings the retry.
            break
        }
    }

    private func channelClosed(_ channel: Channel) {
        switch state {
        case .connected(let current) where current === channel:
            logger.info("connection to peer \(address) closed; reconnecting")
            onFailure?(.closed)
            lastFailure = "closed"
            retryLater()
        case .connecting(.some(let current)) where current === channel:
            // A refusal or a failed proof was reported when it happened.
            if lastFailure == nil {
                onFailure?(.handshakeIncomplete)
                report("the handshake with peer \(address) did not complete", level: .info)
            }
            retryLater()
        default:
            break
        }
    }

    private func failed(_ message: String, kind: PeerLinkFailure) {
        guard case .connecting = state else { return }
        onFailure?(kind)
        report(message, level: .info)
        retryLater()
    }

    /// Logs a failure the first time it happens, not again while the same one repeats.
    private func report(_ message: String, level: Logger.Level) {
        guard lastFailure != message else { return }
        lastFailure = message
        logger.log(level: level, "\(message)")
    }

    private func retryLater() {
        if case .closed = state { return }
        state = .waitingToRetry
        let delay = backoff.failed()
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: delay) {
            let link = bound.value
            guard case .waitingToRetry = link.state else { return }
            link.state = .idle
            link.connect()
        }
    }
}
