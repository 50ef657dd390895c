import PaxosProtocol
import PaxosTransport

/// What a streaming append achieved.
public struct AppendReport: Equatable, Sendable {
    /// Entries committed (their indexes were reported, in input order).
    public var committed: Int
    /// Entries that could not be confirmed before the timeout.
    public var unconfirmed: Int
    /// Why the last attempt to reach the leader failed (meaningful when entries are unconfirmed).
    var problem = ""
}

/// The engine behind every append, as a state machine with no I/O: events in (input, frames,
/// connections opened and closed, clock ticks), actions out (open a connection, write frames,
/// close, report indexes). ``EventLoopAppendDriver`` performs the actions on one event loop and
/// feeds the events back, one at a time; tests drive it directly.
///
/// It keeps many entries in flight on one connection, follows redirects to the leader, moves to
/// another node when one dies or goes silent, re-sends what is not yet confirmed (same session and
/// sequence numbers, so nothing is appended twice), and reports indexes in input order. The
/// pipeline's entries are one session, numbered from 1 in input order; the cluster appends them
/// only in that order, and when one arrives before its predecessor (lost with a leader that
/// died) the pipeline sends them again from the predecessor on.
struct AppendPipeline {
    enum Event: Sendable {
        case input([[UInt8]])
        case inputFinished
        case inputFailed(String)
        /// The pipeline cannot go on (no cluster secret, or a node failed to prove it holds it).
        case failed(String)
        /// Connection `connection` (asked for by a `.connect` action) is open; frames may follow.
        case connected(connection: Int)
        case frame(connection: Int, Frame)
        /// `silent`: given up because it answered nothing (liveness probes, a timeout), not closed.
        case closed(connection: Int, reason: String, silent: Bool = false)
        case tick
    }

    enum Action: Equatable, Sendable {
        /// Open connection `connection` to node `node`; report `.connected`, its frames and its
        /// close as events.
        case connect(connection: Int, node: UInt32)
        /// Write `frames` to `connection` and flush.
        case write(connection: Int, [Frame])
        case close(connection: Int)
        /// These entries (input position, log index) committed, in input order.
        case committed([Committed])
        /// This many entries left the window (room for more input).
        case released(Int)
        /// Every entry is confirmed and the input is finished, or the timeout passed.
        case finished(AppendReport)
    }

    struct Committed: Equatable, Sendable {
        var position: Int
        var index: UInt64
    }

    let nodes: [UInt32]
    let session: UInt64
    let timeout: Duration

    // Entries by input position; an entry's sequence number is position + 1.
    private var pending: [Int: (data: [UInt8], enqueued: ContinuousClock.Instant)] = [:]
    private var committed: [Int: UInt64] = [:]
    private var entered = 0
    private var nextToReport = 0
    private var inputDone = false
    private var done = false

    // The connection in use.
    private var target: UInt32
    private var connection = 0
    private var isOpen = false
    private var accepted = false
    private var reconnectAt: ContinuousClock.Instant?
    private var lastProblem = "no node answered yet"
    /// When the connection was last heard from (or entries began to wait on it).
    private var lastHeard: ContinuousClock.Instant
    /// Nodes that recently failed or went silent: not followed by a redirect for a while.
    private var silentNodes = SilentNodes()
    private var actions: [Action] = []

    init(nodes: [UInt32], session: UInt64, timeout: Duration, preferredNode: UInt32?, now: ContinuousClock.Instant) {
        self.nodes = nodes
        self.session = session
        self.timeout = timeout
        target = preferredNode ?? nodes.first ?? 1
        lastHeard = now
    }

    /// How often the driver must deliver `.tick` (reconnects and the timeout run on it).
    static let tickInterval = Duration.milliseconds(50)

    /// A connection with entries waiting that answers none of them for this long is given up for
    /// the next node. A node that is silent altogether (frozen, cut off) is noticed sooner, by the
    /// connection's liveness probes (``ConnectionLiveness/Configuration/client``); this catches a
    /// node that answers probes but makes no progress. A merely slow node costs a reconnect and a
    /// re-send (the same keys, so nothing is appended twice).
    static let silenceLimit = Duration.seconds(2)

    /// Entries per append request frame, and bytes.
    static let maxEntriesPerFrame = 2048
    static let maxBytesPerFrame = 1 << 20

    /// Opens the first connection.
    mutating func start() -> [Action] {
        connect()
        return takeActions()
    }

    /// Handles one event at `now`. Throws when the cluster refuses the entries (not for lost
    /// connections or a missing leader: those are retried until the timeout). After `.finished`,
    /// or a throw, the pipeline is done: later events only close connections that open late.
    mutating func handle(_ event: Event, now: ContinuousClock.Instant) throws(ClientError) -> [Action] {
        guard !done else {
            if case .connected(let id) = event { return [.close(connection: id)] }
            return []
        }
        do {
            try apply(event, now: now)
        } catch {
            done = true
            if isOpen { actions.append(.close(connection: connection)) }
            throw error
        }
        report()
        if inputDone && pending.isEmpty {
            finish(AppendReport(committed: nextToReport, unconfirmed: 0))
        }
        return takeActions()
    }

    /// Why the last attempt failed, for the timeout message.
    var problem: String { lastProblem }

    private mutating func apply(_ event: Event, now: ContinuousClock.Instant) throws(ClientError) {
        switch event {
        case .input(let batch):
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
        case .connected(let id):
            guard id == connection else {
                actions.append(.close(connection: id))
                return
            }
            isOpen = true
            lastHeard = now
            // The node's answer to the hello may have come first.
            if accepted { send(positions: pending.keys.sorted()) }
        case .frame(let id, let frame):
            guard id == connection else { return }
            lastHeard = now
            try handle(frame, now: now)
        case .closed(let id, let reason, let silent):
            guard id == connection else { return }
            let wasEstablished = accepted && !silent
            isOpen = false
            lastProblem = "node \(target): \(reason)"
            if wasEstablished {
                // The node went away (a clean stop, a restart, a crash): the next node is asked at
                // once, and this one is not passed over: trying it again fails fast, and after a
                // rolling restart it may well be the leader the others name.
                dropConnection(retryAt: now)
                target = nextNode(after: target, now: now)
                reconnectAt = nil
                connect()
            } else {
                // Never reached (refused, or no answer to the hello), or gone silent (a frozen
                // process, a dead machine, a partition): a pause, and it is passed over for a while
                // (a frozen node costs a whole handshake timeout each time).
                silentNodes.failed(target, at: now)
                dropConnection(retryAt: now + .milliseconds(100))
                target = nextNode(after: target, now: now)
            }
        case .tick:
            tick(now: now)
        }
    }

    private mutating func tick(now: ContinuousClock.Instant) {
        if accepted, !pending.isEmpty, now - lastHeard > Self.silenceLimit {
            lastProblem = "node \(target) stopped answering (nothing heard for \(Self.silenceLimit))"
            silentNodes.failed(target, at: now)
            dropConnection(retryAt: now)
            target = nextNode(after: target, now: now)
        }
        if let at = reconnectAt, now >= at {
            reconnectAt = nil
            connect()
        }
        if let oldest = pending.values.map(\.enqueued).min(), now - oldest > timeout {
            report()
            finish(AppendReport(committed: nextToReport, unconfirmed: entered - nextToReport, problem: lastProblem))
        }
    }

    private mutating func finish(_ report: AppendReport) {
        done = true
        if isOpen { actions.append(.close(connection: connection)) }
        actions.append(.finished(report))
    }

    private mutating func takeActions() -> [Action] {
        defer { actions = [] }
        return actions
    }

    /// Reports committed entries in input order, as far as they are contiguous.
    private mutating func report() {
        var batch: [Committed] = []
        while let index = committed.removeValue(forKey: nextToReport) {
            batch.append(Committed(position: nextToReport, index: index))
            nextToReport += 1
        }
        if !batch.isEmpty { actions.append(.committed(batch)) }
    }

    /// Handles one frame from the node.
    private mutating func handle(_ frame: Frame, now: ContinuousClock.Instant) throws(ClientError) {
        if !accepted {
            switch frame.kind {
            case Hello.FrameKind.helloAccepted:
                accepted = true
                silentNodes.answered(target)
                // Everything not yet confirmed goes (again) to this node, in order.
                send(positions: pending.keys.sorted())
                return
            case Hello.FrameKind.refused:
                throw ClientError(
                    "node \(target) refused the connection: \(ConnectorHandshake.describeRefusal(frame.payload))")
            default:
                throw ClientError("node \(target) answered the hello with frame kind \(frame.kind)")
            }
        }
        guard frame.kind == FrameKind.appendResult else { return }
        let result: AppendResult
        do {
            result = try AppendResult(decoding: frame.payload)
        } catch {
            throw ClientError("node \(target) sent an append result that does not decode: \(error)")
        }
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
        if released > 0 { actions.append(.released(released)) }
        if let outOfOrder { resendInOrder(outOfOrder.rejected, expected: outOfOrder.expected) }
        if busy && redirect == nil {
            // Back-pressure from the leader: send what is unconfirmed again, to the same node, soon.
            lastProblem = "node \(target) is overloaded"
            dropConnection(retryAt: now + .milliseconds(50))
            return
        }
        if let redirect { follow(redirect, now: now) }
    }

    /// A node said it is not the leader and named `redirect` (nil: it knows of none).
    private mutating func follow(_ redirect: UInt32?, now: ContinuousClock.Instant) {
        // A follower may still name a leader this client just found silent: the others are
        // electing a new one, which the next node asked may already know.
        let leader = redirect.flatMap { silentNodes.isSuspect($0, at: now) ? nil : $0 }
        lastProblem =
            if let named = redirect, leader == nil {
                "node \(target) names node \(named) as the leader, which stopped answering"
            } else {
                "node \(target) is not the leader"
            }
        dropConnection(retryAt: now + (leader == nil ? .milliseconds(100) : .zero))
        target = leader ?? nextNode(after: target, now: now)
        if leader != nil {
            reconnectAt = nil
            connect()
        }
    }

    /// Entries at `rejected` came to the log before entry `expected` of this stream: sends the
    /// expected entry and the rejected ones again, in order, so that the leader queues them behind
    /// whatever of them it still holds. Only those: the other unconfirmed entries are either still
    /// on their way to the log (each one that arrives too early is answered the same way, and
    /// sent again then) or already queued behind. Sending everything from `expected` on for every
    /// such answer would send a window of 50,000 entries once per rejected slot after a leader
    /// change. (A leader that loses a queued entry steps down, and the reconnect sends everything.)
    private mutating func resendInOrder(_ rejected: [Int], expected: UInt64) {
        let from = Int(truncatingIfNeeded: expected &- 1)
        if expected >= 1, pending[from] != nil {
            send(positions: Set(rejected + [from]).sorted())
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
    private mutating func send(positions: some Sequence<Int>) {
        guard isOpen else { return }
        var frames: [Frame] = []
        var batch: [ClientEntry] = []
        var bytes = 0
        for position in positions {
            guard let entry = pending[position] else { continue }
            batch.append(
                ClientEntry(key: ClientKey(session: session, sequence: UInt64(position) + 1), data: entry.data))
            bytes += entry.data.count + 20
            if batch.count >= Self.maxEntriesPerFrame || bytes >= Self.maxBytesPerFrame {
                frames.append(Frame(kind: FrameKind.appendRequest, payload: AppendRequest(entries: batch).encoded()))
                batch = []
                bytes = 0
            }
        }
        if !batch.isEmpty {
            frames.append(Frame(kind: FrameKind.appendRequest, payload: AppendRequest(entries: batch).encoded()))
        }
        if !frames.isEmpty { actions.append(.write(connection: connection, frames)) }
    }

    private mutating func dropConnection(retryAt: ContinuousClock.Instant) {
        if isOpen { actions.append(.close(connection: connection)) }
        isOpen = false
        accepted = false
        connection += 1
        reconnectAt = retryAt
    }

    /// The next node to try after `node`, passing over those that recently failed.
    private func nextNode(after node: UInt32, now: ContinuousClock.Instant) -> UInt32 {
        silentNodes.next(after: node, among: nodes, at: now)
    }

    /// Asks for a new connection to `target`.
    private mutating func connect() {
        connection += 1
        isOpen = false
        accepted = false
        actions.append(.connect(connection: connection, node: target))
    }
}
