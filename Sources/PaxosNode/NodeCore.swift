import Foundation
import Logging
import NIOCore
import PaxosCore
import PaxosJournal
import PaxosProtocol
import PaxosReplica
import PaxosTransport

/// The node's state, confined to its event loop: the replica, the links to peers, the connected
/// clients. Every event goes replica → actions → journal / sockets, and outgoing frames of one
/// event are flushed together.
final class NodeCore {
    let configuration: NodeConfiguration
    var replica: Replica
    let journal: Journal
    let clock: NodeClock
    let eventLoop: EventLoop
    let logger: Logger

    private var links: [NodeID: PeerLink] = [:]
    /// The incarnation each peer presented when it last connected.
    private var peerIncarnations: [NodeID: UInt64] = [:]
    private var clients: [Int: Channel] = [:]
    private var nextClientID = 1
    /// Which client connection is waiting for each entry.
    private var keyOwner: [ClientKey: Int] = [:]
    private var appendOutbox: [Int: [(key: ClientKey, status: AppendStatus)]] = [:]
    private var peerOutbox: [NodeID: [Frame]] = [:]
    private var linearizableReads: [UInt64: (client: Int, request: ReadRequest)] = [:]
    private var nextReadID: UInt64 = 1
    private var parkedReads: [(client: Int, request: ReadRequest, deadline: ClockInstant)] = []
    private var tickTask: RepeatedTask?
    /// Appends received since the last hand-over to the replica: appends from every connection
    /// that was readable in one turn of the event loop share slots.
    private var pendingAppends: [ClientEntry] = []
    private var appendFlushScheduled = false
    let stopped: EventLoopPromise<Void>
    private var isStopped = false

    init(
        configuration: NodeConfiguration, replica: Replica, journal: Journal, clock: NodeClock, eventLoop: EventLoop,
        logger: Logger
    ) {
        self.configuration = configuration
        self.replica = replica
        self.journal = journal
        self.clock = clock
        self.eventLoop = eventLoop
        self.logger = logger
        stopped = eventLoop.makePromise()
    }

    var stoppedFuture: EventLoopFuture<Void> { stopped.futureResult }

    func start() {
        let hello = Hello(
            clusterID: configuration.clusterID, role: .peer, senderID: configuration.id.rawValue,
            incarnation: configuration.incarnation)
        for (peer, address) in configuration.peers {
            let link = PeerLink(
                address: address, expecting: peer.rawValue, hello: hello, secret: configuration.secret,
                security: configuration.transportSecurity,
                keepaliveInterval: configuration.connectionLimits.keepaliveInterval, eventLoop: eventLoop,
                logger: logger)
            links[peer] = link
            link.connect()
        }
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let interval = TimeAmount.nanoseconds(Int64(configuration.tickInterval.microsecondsValue * 1000))
        tickTask = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.tick()
        }
    }

    func stop() {
        guard !isStopped else { return }
        isStopped = true
        tickTask?.cancel()
        for link in links.values { link.close() }
        for channel in clients.values { channel.close(promise: nil) }
        stopped.succeed(())
    }

    /// The journal failed (EIO on fsync, a short write): nothing more may be acknowledged. The
    /// node stops; it must be restarted, which re-reads what is really on disk.
    private func fail(_ error: JournalError) {
        guard !isStopped else { return }
        logger.critical("journal failure, stopping the node: \(error)")
        isStopped = true
        tickTask?.cancel()
        for link in links.values { link.close() }
        for channel in clients.values { channel.close(promise: nil) }
        stopped.fail(error)
    }

    // MARK: - Events

    private func tick() {
        guard !isStopped else { return }
        let now = clock.now()
        perform(replica.tick(now: now))
        expireParkedReads(now: now)
        flush()
    }

    func receivePeerMessage(_ message: ReplicaMessage, from peer: NodeID) {
        guard !isStopped else { return }
        perform(replica.receive(message, from: peer, now: clock.now()))
        flush()
    }

    /// `peer` connected and proved membership, running as `incarnation`. A peer's incarnation
    /// changes only when it lost state: a promise it made before then counts no more.
    func peerConnected(_ peer: NodeID, incarnation: UInt64) {
        guard let known = peerIncarnations.updateValue(incarnation, forKey: peer), known != incarnation else { return }
        logger.notice(
            "peer \(peer.rawValue) is back as a new incarnation (\(String(incarnation, radix: 16)), was \(String(known, radix: 16))): it lost state and rebuilds before it votes"
        )
        replica.peerRestartedWithLostState(peer)
    }

    func registerClient(_ channel: Channel) -> Int {
        let id = nextClientID
        nextClientID += 1
        clients[id] = channel
        return id
    }

    func unregisterClient(_ id: Int) {
        clients[id] = nil
    }

    func receiveAppend(_ request: AppendRequest, from client: Int) {
        guard !isStopped else { return }
        var accepted: [ClientEntry] = []
        for entry in request.entries {
            if entry.data.count > configuration.maxEntryBytes {
                appendOutbox[client, default: []].append(
                    (
                        entry.key,
                        .failed(
                            "entry of \(entry.data.count) bytes exceeds the limit of \(configuration.maxEntryBytes)")
                    ))
            } else {
                keyOwner[entry.key] = client
                accepted.append(entry)
            }
        }
        pendingAppends += accepted
        if !appendFlushScheduled && !pendingAppends.isEmpty {
            appendFlushScheduled = true
            let bound = NIOLoopBound(self, eventLoop: eventLoop)
            eventLoop.execute { bound.value.handOverAppends() }
        }
        flush()
    }

    /// Runs after the loop has read every connection that was ready: one replica call for all.
    private func handOverAppends() {
        appendFlushScheduled = false
        guard !isStopped, !pendingAppends.isEmpty else { return }
        let entries = pendingAppends
        pendingAppends = []
        perform(replica.append(entries, now: clock.now()))
        flush()
    }

    func receiveRead(_ request: ReadRequest, from client: Int) {
        guard !isStopped else { return }
        switch request.mode {
        case .linearizable:
            let id = nextReadID
            nextReadID += 1
            linearizableReads[id] = (client, request)
            perform(replica.requestRead(id: id, now: clock.now()))
        case .local:
            answerRead(request, to: client, endIndex: replica.lastIndex)
        case .follow:
            if replica.lastIndex >= request.fromIndex || request.waitMilliseconds == 0 {
                answerRead(request, to: client, endIndex: replica.lastIndex)
            } else {
                let deadline = clock.now() + .milliseconds(Int64(request.waitMilliseconds))
                parkedReads.append((client, request, deadline))
            }
        }
        flush()
    }

    func status() -> NodeStatus {
        let metrics = journal.metrics
        let histogram = metrics.fsyncLatencyNanoseconds
        var status = NodeStatus(
            id: configuration.id.rawValue, pid: getpid(), role: replica.role.rawValue,
            ballot: replica.leaderBallot.map { "\($0.number).\($0.uid.rawValue)" },
            leader: replica.leader?.rawValue, commitIndex: replica.lastIndex, commitSlot: replica.commitIndex,
            lastSlot: replica.lastSlot, journalBytes: journalBytes(), fsyncs: UInt64(metrics.fsyncCount),
            fsyncP50Milliseconds: Double(histogram.valueAtPercentile(50)) / 1e6,
            fsyncP99Milliseconds: Double(histogram.valueAtPercentile(99)) / 1e6,
            recordsPerFsync: metrics.recordsPerFsync)
        status.lastIndex = replica.lastIndex + replica.acceptedEntriesBeyondCommit
        status.voter = replica.isVoter
        return status
    }

    private func journalBytes() -> UInt64 {
        let directory = journal.directory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.reduce(0) { total, name in
            let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? NSNumber)??
                .uint64Value
            return total + (size ?? 0)
        }
    }

    // MARK: - Actions

    private func perform(_ actions: [ReplicaAction]) {
        var records: [[UInt8]] = []
        var lastToken: UInt64 = 0
        var applied = false
        for action in actions {
            switch action {
            case .send(let message, let peer):
                peerOutbox[peer, default: []].append(Frame(kind: FrameKind.peerMessage, payload: message.encoded()))
            case .broadcast(let message, let peers):
                let frame = Frame(kind: FrameKind.peerMessage, payload: message.encoded())
                for peer in peers { peerOutbox[peer, default: []].append(frame) }
            case .persist(let record, let token):
                records.append(record.encoded())
                lastToken = token
            case .apply:
                applied = true
            case .appendOutcome(let key, let outcome):
                guard let client = keyOwner.removeValue(forKey: key) else { continue }
                switch outcome {
                case .committed(let index):
                    appendOutbox[client, default: []].append((key, .committed(index: index)))
                case .notLeader(let leader):
                    appendOutbox[client, default: []].append((key, .notLeader(leader: leader?.rawValue)))
                case .overloaded:
                    appendOutbox[client, default: []].append((key, .busy))
                }
            case .readReady(let id, let lastIndex):
                guard let read = linearizableReads.removeValue(forKey: id) else { continue }
                answerRead(read.request, to: read.client, endIndex: lastIndex)
            case .readRejected(let id, let leader):
                guard let read = linearizableReads.removeValue(forKey: id) else { continue }
                send(
                    ReadResult(
                        requestID: read.request.requestID, status: .notLeader(leader: leader?.rawValue),
                        firstIndex: read.request.fromIndex, entries: [], endIndex: 0),
                    to: read.client)
            case .roleChanged(let role, let leader, let ballot):
                logger.info(
                    "role \(role.rawValue), leader \(leader.map { "\($0.rawValue)" } ?? "unknown"), ballot \(ballot.map { "\($0.number).\($0.uid.rawValue)" } ?? "-")"
                )
            case .votingRestored(let ballot):
                logger.notice(
                    "recovery complete: state rebuilt from a majority of the others, voting again from ballot \(ballot.number).\(ballot.uid.rawValue)"
                )
            case .messageDropped(let peer, .unexpected(let reason)):
                // A late or duplicated reply is normal now and then; a stream of them is not.
                logger.info("dropped a message from peer \(peer.rawValue): \(reason)")
            case .messageDropped(let peer, .malformed(let reason)):
                logger.warning("dropped a malformed message from peer \(peer.rawValue): \(reason)")
            }
        }
        if !records.isEmpty {
            persist(records, through: lastToken)
        }
        if applied {
            serveParkedReads()
        }
    }

    /// Appends the records to the journal; when they are durable, tells the replica.
    private func persist(_ records: [[UInt8]], through token: UInt64) {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let loop = eventLoop
        journal.append(contentsOf: records) { result in
            loop.execute {
                let core = bound.value
                switch result {
                case .success:
                    guard !core.isStopped else { return }
                    core.perform(core.replica.persisted(through: token, now: core.clock.now()))
                    core.flush()
                case .failure(let error):
                    core.fail(error)
                }
            }
        }
    }

    private func flush() {
        for (peer, frames) in peerOutbox {
            links[peer]?.send(frames)
        }
        peerOutbox.removeAll(keepingCapacity: true)
        for (client, outcomes) in appendOutbox {
            guard let channel = clients[client] else { continue }
            channel.writeAndFlush(
                Frame(kind: FrameKind.appendResult, payload: AppendResult(outcomes: outcomes).encoded()), promise: nil)
        }
        appendOutbox.removeAll(keepingCapacity: true)
    }

    // MARK: - Reads

    private func answerRead(_ request: ReadRequest, to client: Int, endIndex: UInt64) {
        let entries = replica.entries
        var end = min(endIndex, UInt64(entries.count))
        if request.upTo > 0 { end = min(end, request.upTo) }
        var batch: [[UInt8]] = []
        var bytes = 0
        var index = max(request.fromIndex, 1)
        while index <= end, batch.count < Int(request.maxEntries), batch.isEmpty || bytes < Int(request.maxBytes) {
            let data = entries[Int(index - 1)].data
            batch.append(data)
            bytes += data.count
            index += 1
        }
        send(
            ReadResult(
                requestID: request.requestID, status: .ok, firstIndex: max(request.fromIndex, 1), entries: batch,
                endIndex: endIndex),
            to: client)
    }

    private func send(_ result: ReadResult, to client: Int) {
        clients[client]?.writeAndFlush(Frame(kind: FrameKind.readResult, payload: result.encoded()), promise: nil)
    }

    private func serveParkedReads() {
        let ready = parkedReads.filter { replica.lastIndex >= $0.request.fromIndex }
        guard !ready.isEmpty else { return }
        parkedReads.removeAll { replica.lastIndex >= $0.request.fromIndex }
        for read in ready {
            answerRead(read.request, to: read.client, endIndex: replica.lastIndex)
        }
    }

    private func expireParkedReads(now: ClockInstant) {
        let expired = parkedReads.filter { $0.deadline <= now || clients[$0.client] == nil }
        guard !expired.isEmpty else { return }
        parkedReads.removeAll { $0.deadline <= now || clients[$0.client] == nil }
        for read in expired where clients[read.client] != nil {
            answerRead(read.request, to: read.client, endIndex: replica.lastIndex)
        }
    }
}

extension Duration {
    /// Whole microseconds in this duration.
    var microsecondsValue: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
