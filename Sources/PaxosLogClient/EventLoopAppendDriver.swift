import NIOCore
import PaxosProtocol
import PaxosTransport

/// Runs an ``AppendPipeline`` on one event loop, the loop its connections use: a reply is handled
/// on the thread that read it, and an append costs one hand-off to that loop and one back to the
/// caller. (Driven by a task instead, each append crossed threads four times; on a two-core
/// machine those switches cost more than the consensus round itself.) Sessions and streams both
/// run on it. The pipeline decides; this performs its actions: connections, writes, the clock.
final class EventLoopAppendDriver: Sendable {
    private struct State: Sendable {
        var pipeline: AppendPipeline
        var channels: [Int: Channel] = [:]
        var done = false
        var tick: RepeatedTask?
    }

    private let loop: EventLoop
    private let cluster: ClusterDescription
    private let state: NIOLoopBoundBox<State>
    private let onCommitted: @Sendable ([(position: Int, index: UInt64)]) -> Void
    private let onReleased: (@Sendable (Int) -> Void)?
    private let outcome: EventLoopPromise<AppendReport>

    /// - Parameters:
    ///   - cluster: where the pipeline's nodes are, and how to prove membership to them.
    ///   - onCommitted: receives (input position, index) pairs in input order, on the loop.
    ///   - onReleased: receives how many entries were confirmed by each answer (in any order), on
    ///     the loop: room in the caller's window.
    init(
        pipeline: AppendPipeline, cluster: ClusterDescription, loop: EventLoop,
        onCommitted: @escaping @Sendable ([(position: Int, index: UInt64)]) -> Void,
        onReleased: (@Sendable (Int) -> Void)? = nil
    ) {
        self.loop = loop
        self.cluster = cluster
        state = .makeBoxSendingValue(State(pipeline: pipeline), eventLoop: loop)
        self.onCommitted = onCommitted
        self.onReleased = onReleased
        outcome = loop.makePromise()
    }

    /// What the pipeline achieved, once its input is finished and confirmed or the timeout passed.
    var result: EventLoopFuture<AppendReport> { outcome.futureResult }

    /// Opens the first connection and starts the clock.
    func start() {
        loop.execute {
            self.perform(self.state.value.pipeline.start())
            self.state.value.tick = self.loop.scheduleRepeatedTask(
                initialDelay: Self.tickInterval, delay: Self.tickInterval
            ) { _ in self.handle(.tick) }
        }
    }

    /// Hands `event` to the pipeline, from any thread; events are handled on the loop in the
    /// order they were sent.
    func send(_ event: AppendPipeline.Event) {
        loop.execute { self.handle(event) }
    }

    private static var tickInterval: TimeAmount {
        let (seconds, attoseconds) = AppendPipeline.tickInterval.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    private func handle(_ event: AppendPipeline.Event) {
        guard !state.value.done else { return }
        do {
            perform(try state.value.pipeline.handle(event, now: .now))
        } catch {
            finish(.failure(error))
        }
    }

    private func perform(_ actions: [AppendPipeline.Action]) {
        for action in actions {
            switch action {
            case .connect(let id, let node):
                connect(id, to: node)
            case .write(let id, let frames):
                guard let channel = state.value.channels[id] else { continue }
                for frame in frames { channel.write(frame, promise: nil) }
                channel.flush()
            case .close(let id):
                state.value.channels.removeValue(forKey: id)?.close(promise: nil)
            case .committed(let batch):
                onCommitted(batch.map { ($0.position, $0.index) })
            case .released(let count):
                onReleased?(count)
            case .finished(let report):
                finish(.success(report))
            }
        }
    }

    private func finish(_ result: Result<AppendReport, Error>) {
        state.value.done = true
        state.value.tick?.cancel()
        for channel in state.value.channels.values { channel.close(promise: nil) }
        state.value.channels = [:]
        outcome.completeWith(result)
    }

    /// Opens connection `id` to `node` in the background; its frames and its close come back as
    /// events, after `.connected`.
    private func connect(_ id: Int, to node: UInt32) {
        guard let address = cluster.address(of: node) else {
            send(.closed(connection: id, reason: "node \(node) is not in cluster.json"))
            return
        }
        let secret: ClusterSecret
        do {
            secret = try cluster.requireSecret()
        } catch {
            send(.failed(error.message))
            return
        }
        let hello = Hello(clusterID: cluster.clusterIDValue, role: .client, senderID: 0)
        let security = cluster.security
        let loop = self.loop
        Task {
            do {
                let channel = try await Connector.connect(
                    to: address, expecting: node, hello: hello, secret: secret, security: security, group: loop,
                    timeout: .seconds(2),
                    onFrame: { self.send(.frame(connection: id, $0)) },
                    onClose: { error in
                        // A node that cannot prove it holds the secret is an impostor, or this
                        // client has the wrong secret (or the wrong CA, or an expired
                        // certificate): either way, stop and say so.
                        self.send(
                            [.authenticationFailed, .tlsFailed].contains(error.code)
                                ? .failed("node \(node): \(error)")
                                : .closed(
                                    connection: id, reason: "\(error)",
                                    silent: [.unresponsive, .timedOut].contains(error.code)))
                    })
                loop.execute { self.opened(channel, as: id) }
            } catch {
                // Could not connect or finish the handshake: never established, passed over anyway.
                self.send(.closed(connection: id, reason: "\(error)"))
            }
        }
    }

    /// Connection `id` is open: keep its channel for the pipeline's writes (or close it, if the
    /// pipeline finished meanwhile).
    private func opened(_ channel: Channel, as id: Int) {
        guard !state.value.done else {
            channel.close(promise: nil)
            return
        }
        state.value.channels[id] = channel
        handle(.connected(connection: id))
    }
}
