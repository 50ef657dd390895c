import NIOCore

/// Runs an ``AppendPipeline`` on one event loop, the loop its connections use: a reply is handled
/// on the thread that read it, and an append costs one hand-off to that loop and one back to the
/// caller. (Driven by a task instead, each append crossed threads four times; on a two-core
/// machine those switches cost more than the consensus round itself.) Sessions and streams both
/// run on it.
final class EventLoopAppendDriver: Sendable {
    private struct State: Sendable {
        var pipeline: AppendPipeline
        var done = false
        var tick: RepeatedTask?
    }

    private let loop: EventLoop
    private let state: NIOLoopBoundBox<State>
    private let onCommitted: @Sendable ([(position: Int, index: UInt64)]) -> Void
    private let onReleased: (@Sendable (Int) -> Void)?
    private let outcome: EventLoopPromise<AppendReport>

    /// - Parameters:
    ///   - pipeline: a pipeline whose group is `loop`, so its connections live there too.
    ///   - onCommitted: receives (input position, index) pairs in input order, on the loop.
    ///   - onReleased: receives how many entries were confirmed by each answer (in any order), on
    ///     the loop: room in the caller's window.
    init(
        pipeline: AppendPipeline, loop: EventLoop,
        onCommitted: @escaping @Sendable ([(position: Int, index: UInt64)]) -> Void,
        onReleased: (@Sendable (Int) -> Void)? = nil
    ) {
        self.loop = loop
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
            self.state.value.pipeline.start(sink: { self.send($0) })
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
        guard !state.value.done else {
            if case .connected(_, let channel) = event { channel.close(promise: nil) }
            return
        }
        do {
            switch try state.value.pipeline.handle(event, sink: { self.send($0) }, onCommitted: onCommitted) {
            case .running(let released):
                if released > 0 { onReleased?(released) }
            case .finished(let report):
                finish(.success(report))
            }
        } catch {
            finish(.failure(error))
        }
    }

    private func finish(_ result: Result<AppendReport, Error>) {
        state.value.done = true
        state.value.tick?.cancel()
        state.value.pipeline.close()
        outcome.completeWith(result)
    }
}
