import Foundation
import NIOCore
import PaxosProtocol
import PaxosTransport

/// What a streaming append achieved.
public struct AppendReport: Sendable {
    /// Entries committed (their indexes were reported, in input order).
    public var committed: Int
    /// Entries that could not be confirmed before the timeout.
    public var unconfirmed: Int
    /// Why the last attempt to reach the leader failed (meaningful when entries are unconfirmed).
    var problem = ""
}

/// The engine behind every append: keeps many entries in flight on one connection, follows
/// redirects to the leader, reconnects elsewhere when a node dies, re-sends what is not yet
/// confirmed (same session and sequence numbers, so nothing is appended twice), and reports
/// indexes in input order. The pipeline's entries are one session, numbered from 1 in input order;
/// the cluster appends them only in that order, and when one arrives before its predecessor (lost
/// with a leader that died) the pipeline sends them again from the predecessor on. A value with no thread of its own: ``EventLoopAppendDriver`` feeds it
/// events one at a time on its connection's event loop.
struct AppendPipeline {
    enum Event: Sendable {
        case input([[UInt8]])
        case inputFinished
        case inputFailed(String)
        /// The pipeline cannot go on (no cluster secret, or a node failed to prove it holds it).
        case failed(String)
        case connected(connection: Int, channel: Channel)
        case frame(connection: Int, Frame)
        case closed(connection: Int, reason: String)
        case tick
    }

    let cluster: ClusterDescription
    let group: EventLoopGroup
    let session: UInt64
    let timeout: Duration

    // Entries by input position; an entry's sequence number is position + 1.
    private var pending: [Int: (data: [UInt8], enqueued: ContinuousClock.Instant)] = [:]
    private var committed: [Int: UInt64] = [:]
    private var entered = 0
    private var nextToReport = 0
    private var inputDone = false

    // The connection in use.
    private var target: UInt32
    private var connection = 0
    private var channel: Channel?
    private var accepted = false
    private var reconnectAt: ContinuousClock.Instant?
    private var lastProblem = "no node answered yet"
    /// When the connection was last heard from (or entries began to wait on it).
    private var lastHeard = ContinuousClock.now
    /// Nodes that recently failed or went silent: not followed by a redirect for a while.
    private var silentNodes = SilentNodes()

    init(
        cluster: ClusterDescription, group: EventLoopGroup, session: UInt64, timeout: Duration, preferredNode: UInt32?
    ) {
        self.cluster = cluster
        self.group = group
        self.session = session
        self.timeout = timeout
        target = preferredNode ?? cluster.nodes.first?.id ?? 1
    }

    /// Where the pipeline's own events (connections, frames, closes) go; every event must come
    /// back to ``handle(_:sink:onCommitted:)``, one at a time, in the order sent.
    typealias Sink = @Sendable (Event) -> Void

    /// How often the driver must deliver `.tick` (reconnects and the timeout run on it).
    static let tickInterval = Duration.milliseconds(50)

    /// A connection with entries waiting that answers none of them for this long is given up for
    /// the next node. A node that is silent altogether (frozen, cut off) is noticed sooner, by the
    /// connection's liveness probes (``ConnectionLiveness/Configuration/client``); this catches a
    /// node that answers probes but makes no progress. A merely slow node costs a reconnect and a
    /// re-send (the same keys, so nothing is appended twice).
    static let silenceLimit = Duration.seconds(2)

    /// What became of the pipeline after an event.
    enum Step {
        /// Still running; `released` entries left the window.
        case running(released: Int)
        /// Every entry is confirmed and the input is finished, or the timeout passed.
        case finished(AppendReport)
    }

    /// Opens the first connection.
    mutating func start(sink: @escaping Sink) {
        connect(sink: sink)
    }

    /// Closes the connection in use.
    func close() {
        channel?.close(promise: nil)
    }

    /// Handles one event. Throws when the cluster refuses the entries (not for lost connections
    /// or a missing leader: those are retried until the timeout).
    mutating func handle(
        _ event: Event, sink: @escaping Sink, onCommitted: ([(position: Int, index: UInt64)]) -> Void
    ) throws -> Step {
        var released = 0
        switch event {
        case .input(let batch):
            let now = ContinuousClock.now
            if pending.isEmpty { lastHeard = now }
            for data in batch {
                pending[entered] = (data, now)
                entered += 1
            }
            if accepted { send(positions: (entered - batch.count)..<entered) }
        case .inputFinished:
            inputDone = true
        case .inputFailed(let message):
            throw ClientError("reading the entries failed: \(message)")
        case .failed(let message):
            throw ClientError(message)
        case .connected(let id, let newChannel):
            guard id == connection else {
                newChannel.close(promise: nil)
                return .running(released: 0)
            }
            channel = newChannel
            lastHeard = ContinuousClock.now
            // The node's answer to the hello may have come first.
            if accepted { send(positions: pending.keys.sorted()) }
        case .frame(let id, let frame):
            guard id == connection else { return .running(released: 0) }
            lastHeard = ContinuousClock.now
            released = try handle(frame, sink: sink)
        case .closed(let id, let reason):
            guard id == connection else { return .running(released: 0) }
            lastProblem = "node \(target): \(reason)"
            silentNodes.failed(target, at: .now)
            dropConnection(retryIn: .milliseconds(100))
            target = nextNode(after: target)
        case .tick:
            if accepted, channel != nil, !pending.isEmpty, ContinuousClock.now - lastHeard > Self.silenceLimit {
                lastProblem = "node \(target) stopped answering (nothing heard for \(Self.silenceLimit))"
                silentNodes.failed(target, at: .now)
                dropConnection(retryIn: .zero)
                target = nextNode(after: target)
            }
            if let at = reconnectAt, ContinuousClock.now >= at {
                reconnectAt = nil
                connect(sink: sink)
            }
            if let oldest = pending.values.map(\.enqueued).min(), ContinuousClock.now - oldest > timeout {
                report(onCommitted)
                return .finished(
                    AppendReport(committed: nextToReport, unconfirmed: entered - nextToReport, problem: lastProblem))
            }
        }
        report(onCommitted)
        if inputDone && pending.isEmpty {
            return .finished(AppendReport(committed: nextToReport, unconfirmed: 0))
        }
        return .running(released: released)
    }

    /// Reports committed entries in input order, as far as they are contiguous.
    private mutating func report(_ onCommitted: ([(position: Int, index: UInt64)]) -> Void) {
        var batch: [(position: Int, index: UInt64)] = []
        while let index = committed.removeValue(forKey: nextToReport) {
            batch.append((nextToReport, index))
            nextToReport += 1
        }
        if !batch.isEmpty { onCommitted(batch) }
    }

    /// Handles one frame from the node; returns how many entries left the window.
    private mutating func handle(_ frame: Frame, sink: @escaping Sink) throws -> Int {
        if !accepted {
            switch frame.kind {
            case Hello.FrameKind.helloAccepted:
                accepted = true
                silentNodes.answered(target)
                // Everything not yet confirmed goes (again) to this node, in order.
                send(positions: pending.keys.sorted())
                return 0
            case Hello.FrameKind.refused:
                throw ClientError(
                    "node \(target) refused the connection: \(ConnectorHandshake.describeRefusal(frame.payload))")
            default:
                throw ClientError("node \(target) answered the hello with frame kind \(frame.kind)")
            }
        }
        guard frame.kind == FrameKind.appendResult else { return 0 }
        let result = try AppendResult(decoding: frame.payload)
        var released = 0
        var redirect: UInt32??
        var busy = false
        var outOfOrder: (rejected: [Int], expected: UInt64)?
        for (key, status) in result.outcomes where key.session == session && key.sequence >= 1 {
            let position = Int(truncatingIfNeeded: key.sequence - 1)
            guard pending[position] != nil else { continue }
            switch status {
            case .committed(let index):
                pending[position] = nil
                committed[position] = index
                released += 1
            case .notLeader(let leader):
                redirect = .some(leader)
            case .failed(let message):
                throw ClientError("entry \(position + 1) was refused by node \(target): \(message)")
            case .busy:
                busy = true
            case .outOfOrder(let expected):
                outOfOrder = (
                    (outOfOrder?.rejected ?? []) + [position], min(expected, outOfOrder?.expected ?? expected)
                )
            }
        }
        if let outOfOrder { resendInOrder(outOfOrder.rejected, expected: outOfOrder.expected) }
        if busy && redirect == nil {
            // Back-pressure from the leader: send what is unconfirmed again, to the same node, soon.
            lastProblem = "node \(target) is overloaded"
            dropConnection(retryIn: .milliseconds(50))
            return released
        }
        if let redirect {
            // A follower may still name a leader this client just found silent: the others are
            // electing a new one, which the next node asked may already know.
            let leader = redirect.flatMap { silentNodes.isSuspect($0, at: .now) ? nil : $0 }
            lastProblem =
                if let named = redirect, leader == nil {
                    "node \(target) names node \(named) as the leader, which stopped answering"
                } else {
                    "node \(target) is not the leader"
                }
            dropConnection(retryIn: leader == nil ? .milliseconds(100) : .zero)
            target = leader ?? nextNode(after: target)
            if leader != nil {
                reconnectAt = nil
                connect(sink: sink)
            }
        }
        return released
    }

    /// Entries at `rejected` came to the log before entry `expected` of this stream: sends every
    /// unconfirmed entry from `expected` on again, in order, so that the leader queues them in
    /// order behind whatever of them it still holds.
    private mutating func resendInOrder(_ rejected: [Int], expected: UInt64) {
        let from = Int(truncatingIfNeeded: expected &- 1)
        if expected >= 1, pending[from] != nil {
            send(positions: pending.keys.filter { $0 >= from }.sorted())
            return
        }
        // The entry the cluster asks for was already confirmed: an answer from before that
        // confirmation, or a cluster that forgot this stream (past its bound on sessions). Send
        // the rejected entries again; if the cluster forgot the stream, they time out saying so.
        lastProblem =
            "node \(target) takes entry \(expected) of this stream next, but that entry was already confirmed "
            + "(the cluster no longer remembers this stream)"
        send(positions: rejected.sorted())
    }

    /// Writes the entries at `positions` (those still pending) to the connection, if it is open.
    /// Write errors need no handling here: the connection closes and its close event brings the
    /// reconnect and the re-send.
    private func send(positions: some Sequence<Int>) {
        guard let channel else { return }
        var frames: [Frame] = []
        var batch: [ClientEntry] = []
        var bytes = 0
        for position in positions {
            guard let entry = pending[position] else { continue }
            batch.append(
                ClientEntry(
                    key: ClientKey(session: session, sequence: UInt64(position) + 1), data: entry.data))
            bytes += entry.data.count + 20
            if batch.count >= 2048 || bytes >= 1 << 20 {
                frames.append(Frame(kind: FrameKind.appendRequest, payload: AppendRequest(entries: batch).encoded()))
                batch = []
                bytes = 0
            }
        }
        if !batch.isEmpty {
            frames.append(Frame(kind: FrameKind.appendRequest, payload: AppendRequest(entries: batch).encoded()))
        }
        guard !frames.isEmpty else { return }
        let ready = frames
        let write: @Sendable () -> Void = {
            for frame in ready { channel.write(frame, promise: nil) }
            channel.flush()
        }
        // A session's pipeline already runs on the channel's loop: write now, not a turn later.
        if channel.eventLoop.inEventLoop { write() } else { channel.eventLoop.execute(write) }
    }

    private mutating func dropConnection(retryIn delay: Duration) {
        channel?.close(promise: nil)
        channel = nil
        accepted = false
        connection += 1
        reconnectAt = ContinuousClock.now + delay
    }

    /// The next node to try after `node`, passing over those that recently failed.
    private func nextNode(after node: UInt32) -> UInt32 {
        silentNodes.next(after: node, among: cluster.nodes.map(\.id), at: .now)
    }

    /// Opens a connection to `target` in the background; its frames arrive as events.
    private mutating func connect(sink: @escaping Sink) {
        connection += 1
        accepted = false
        channel = nil
        let id = connection
        guard let address = cluster.address(of: target) else {
            sink(.closed(connection: id, reason: "node \(target) is not in cluster.json"))
            return
        }
        let secret: ClusterSecret
        do {
            secret = try cluster.requireSecret()
        } catch {
            sink(.failed(error.message))
            return
        }
        let hello = Hello(clusterID: cluster.clusterIDValue, role: .client, senderID: 0)
        let security = cluster.security
        let group = self.group
        let node = target
        Task {
            do {
                let channel = try await Connector.connect(
                    to: address, expecting: node, hello: hello, secret: secret, security: security, group: group,
                    timeout: .seconds(2),
                    onFrame: { sink(.frame(connection: id, $0)) },
                    onClose: { error in
                        // A node that cannot prove it holds the secret is an impostor, or this
                        // client has the wrong secret (or the wrong CA, or an expired
                        // certificate): either way, stop and say so.
                        sink(
                            [.authenticationFailed, .tlsFailed].contains(error.code)
                                ? .failed("node \(node): \(error)") : .closed(connection: id, reason: "\(error)"))
                    })
                sink(.connected(connection: id, channel: channel))
            } catch {
                sink(.closed(connection: id, reason: "\(error)"))
            }
        }
    }

    /// Why the last attempt failed, for the timeout message.
    var problem: String { lastProblem }
}
