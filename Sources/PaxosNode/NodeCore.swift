import Foundation
import Logging
import NIOCore
import PaxosCore
import PaxosJournal
import PaxosLogStore
import PaxosProtocol
import PaxosReplica
import PaxosTransport

/// The node's state, confined to its event loop: the replica, the links to peers, the connected
/// clients. Every event goes replica → actions → journal / sockets, and outgoing frames of one
/// event are flushed together.
final class NodeCore {
    let configuration: NodeConfiguration
    var replica: Replica
    let journal: any NodeJournal
    /// The committed log on disk: applied slots go here; reads and old catch-up come from here.
    let logStore: LogStore
    /// Where applied slots are written to `logStore` (the store itself, in a node process).
    let logStoreWriter: any LogStoreWriter
    /// Opens the sending end to each peer (a `PeerLink`, in a node process).
    let dialer: any PeerDialer
    let clock: NodeClock
    let eventLoop: EventLoop
    let logger: Logger
    /// The series `GET /metrics` exports (`NodeCore+Metrics.swift`).
    let metrics: NodeMetrics
    /// How far each follower is behind, while this node leads.
    var progress = ReplicationProgress()
    /// The leader (and its ballot) this node last knew of, to count leader changes.
    var knownLeadership: (leader: NodeID, ballot: Ballot)?

    private var links: [NodeID: any PeerSender] = [:]
    /// The incarnation each peer presented when it last connected.
    private var peerIncarnations: [NodeID: UInt64] = [:]
    private(set) var clients: [Int: Channel] = [:]
    private var nextClientID = 1
    /// Which client connection is waiting for each entry, and since when (the commit latency).
    private var keyOwner: [ClientKey: (client: Int, arrived: ClockInstant)] = [:]
    private var appendOutbox: [Int: [(key: ClientKey, status: AppendStatus)]] = [:]
    private var peerOutbox: [NodeID: [Frame]] = [:]
    private var linearizableReads: [UInt64: (client: Int, request: ReadRequest)] = [:]
    var nextReadID: UInt64 = 1
    /// Trim requests waiting for the replica, by the id the replica knows them by.
    private var trimRequests: [UInt64: (client: Int, requestID: UInt64)] = [:]
    /// Leadership transfer requests waiting for the replica, by the id the replica knows them by
    /// (a nil client: the node's own handover before it stops).
    var transferRequests: [UInt64: (client: Int?, requestID: UInt64)] = [:]
    /// Whether the membership this node last applied had it (a learner that joins is not one
    /// until the log adds it).
    var wasMember = false
    /// The slot of the membership that removed this node, while no later one added it back.
    var removedAt: Slot?
    /// Membership change requests waiting for the replica, by the id the replica knows them by.
    var membershipRequests: [UInt64: (client: Int, requestID: UInt64)] = [:]
    /// The node's own handovers before it stops, by transfer id.
    var handovers: [UInt64: EventLoopPromise<TransferOutcome?>] = [:]
    private var parkedReads: [(client: Int, request: ReadRequest, deadline: ClockInstant)] = []
    /// Linearizable reads cleared by the replica up to `endIndex`, waiting for the log store to
    /// have written that far.
    private var readsAwaitingStore: [(client: Int, request: ReadRequest, endIndex: UInt64)] = []
    private var tickTask: RepeatedTask?
    private var memoryReleaseTask: RepeatedTask?
    /// Appends received since the last hand-over to the replica: appends from every connection
    /// that was readable in one turn of the event loop share slots.
    private var pendingAppends: [ClientEntry] = []
    private var appendFlushScheduled = false
    let stopped: EventLoopPromise<Void>
    private(set) var isStopped = false

    // MARK: Checkpoints (NodeCore+Checkpoint.swift)

    /// The sequence number of the last record handed to the journal, and of the last durable one.
    var journalIssued: UInt64
    var journalDurable: UInt64
    var checkpoints = CheckpointSchedule()
    var retention = RetentionState()
    /// Writes checkpoints and deletes journal segments: blocking disk work, off the event loop.
    let checkpointQueue = DispatchQueue(label: "paxoslog.checkpoint")

    init(
        configuration: NodeConfiguration, replica: Replica, io: NodeIO, clock: NodeClock, eventLoop: EventLoop,
        logger: Logger, metrics: NodeMetrics
    ) {
        self.configuration = configuration
        self.replica = replica
        journal = io.journal
        logStore = io.logStore
        logStoreWriter = io.logStoreWriter
        dialer = io.dialer
        self.clock = clock
        self.eventLoop = eventLoop
        self.logger = logger
        self.metrics = metrics
        stopped = eventLoop.makePromise()
        journalIssued = io.journal.lastSequence
        journalDurable = io.journal.lastSequence
    }

    var stoppedFuture: EventLoopFuture<Void> { stopped.futureResult }

    func start() {
        for (peer, address) in configuration.peers {
            links[peer] = dialer.dial(peer, at: address)
        }
        // The membership the log agreed may differ from the cluster file's.
        linkMembers(of: replica.membership)
        wasMember = replica.membership.contains(configuration.id)
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let interval = TimeAmount.nanoseconds(Int64(configuration.tickInterval.microsecondsValue * 1000))
        tickTask = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.tick()
        }
        let release = MemoryRelease.interval
        memoryReleaseTask = eventLoop.scheduleRepeatedTask(initialDelay: release, delay: release) { _ in
            MemoryRelease.releaseFreedMemory()
        }
    }

    /// Links to every other member of `membership` that has an address, and to nobody else: a
    /// member that joined is dialled, one that left is let go once the replica no longer
    /// heartbeats it (it must hear of its removal, see `releaseFormerMembers`).
    func linkMembers(of membership: Membership) {
        for member in membership.members where member.id != configuration.id && links[member.id] == nil {
            guard !member.address.isEmpty, let address = try? TransportAddress(parsing: member.address) else {
                logger.warning("member \(member.id.rawValue) has no address this node can dial: \(member.address)")
                continue
            }
            logger.info("dialling member \(member.id.rawValue) at \(member.address)")
            links[member.id] = dialer.dial(member.id, at: address)
        }
        releaseFormerMembers()
    }

    /// Closes the links to nodes that are neither members nor still told of their removal.
    func releaseFormerMembers() {
        let departed = replica.departedMembers
        for (peer, link) in links where !replica.membership.contains(peer) && !departed.contains(peer) {
            logger.info("member \(peer.rawValue) left the membership: closing its link")
            link.close()
            links[peer] = nil
            peerOutbox[peer] = nil
        }
    }

    func stop() {
        guard !isStopped else { return }
        closeEverything()
        stopped.succeed(())
    }

    /// The journal or the log store failed (EIO on fsync, a short write): nothing more may be
    /// acknowledged. The node stops; it must be restarted, which re-reads what is really on disk.
    func fail(_ error: any Error) {
        guard !isStopped else { return }
        logger.critical("storage failure, stopping the node: \(error)")
        closeEverything()
        stopped.fail(error)
    }

    /// Stops the timers and closes every link and client connection.
    private func closeEverything() {
        isStopped = true
        for handover in handovers.values { handover.succeed(nil) }
        handovers = [:]
        tickTask?.cancel()
        memoryReleaseTask?.cancel()
        for link in links.values { link.close() }
        for channel in clients.values { channel.close(promise: nil) }
    }

    // MARK: - Events

    private func tick() {
        guard !isStopped else { return }
        let now = clock.now()
        perform(replica.tick(now: now))
        expireParkedReads(now: now)
        checkpointIfDue(now: now)
        applyRetentionIfDue(now: now)
        flush()
        if links.count > replica.membership.members.count - 1 { releaseFormerMembers() }
        stopIfRemoved()
    }

    func receivePeerMessage(_ message: ReplicaMessage, from peer: NodeID) {
        guard !isStopped else { return }
        switch message {
        case .heartbeatReply(_, let commitIndex, _, _, _, _):
            progress.peerReported(peer, commitSlot: commitIndex)
        case .catchUpReply(_, let values, _):
            metrics.catchUpEntriesReceived.increment(by: Self.entryCount(values))
        default:
            break
        }
        perform(replica.receive(message, from: peer, now: clock.now()))
        flush()
    }

    /// `peer` connected and proved membership, running as `incarnation`. A peer's incarnation
    /// changes only when it lost state: a promise it made before then counts no more.
    func peerConnected(_ peer: NodeID, incarnation: UInt64) {
        replica.peerReconnected(peer)
        guard let known = peerIncarnations.updateValue(incarnation, forKey: peer), known != incarnation else { return }
        logger.notice(
            "peer \(peer.rawValue) is back as a new incarnation (\(String(incarnation, radix: 16)), was \(String(known, radix: 16))): it lost state and rebuilds before it votes"
        )
        replica.peerRestartedWithLostState(peer)
    }

    /// Client entries received and not yet answered: the proposals pending at this node.
    var appendsAwaitingOutcome: Int { keyOwner.count }

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
        let now = clock.now()
        for entry in request.entries {
            if entry.data.count > configuration.maxEntryBytes {
                metrics.appendsRejected(.tooLarge)
                appendOutbox[client, default: []].append(
                    (
                        entry.key,
                        .failed(
                            "entry of \(entry.data.count) bytes exceeds the limit of \(configuration.maxEntryBytes)")
                    ))
            } else {
                keyOwner[entry.key] = (client, now)
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
            answerRead(request, to: client, endIndex: logStore.lastIndex)
        case .follow:
            if logStore.lastIndex >= request.fromIndex || request.waitMilliseconds == 0 {
                answerRead(request, to: client, endIndex: logStore.lastIndex)
            } else {
                let deadline = clock.now() + .milliseconds(Int64(request.waitMilliseconds))
                parkedReads.append((client, request, deadline))
            }
        }
        flush()
    }

    func receiveTrim(_ request: TrimRequest, from client: Int) {
        guard !isStopped else { return }
        let id = nextReadID
        nextReadID += 1
        trimRequests[id] = (client, request.requestID)
        perform(replica.requestTrim(before: request.before, id: id, now: clock.now()))
        flush()
    }

    func status() -> NodeStatus {
        let metrics = journal.metrics
        let histogram = metrics.fsyncLatencyNanoseconds
        var status = NodeStatus(
            id: configuration.id.rawValue, pid: getpid(), role: replica.role.rawValue,
            ballot: replica.leaderBallot.map { "\($0.number).\($0.uid.rawValue)" },
            leader: replica.leader?.rawValue, commitIndex: replica.lastIndex, commitSlot: replica.commitIndex,
            lastSlot: replica.lastSlot, journalBytes: Self.bytes(in: journal.directory),
            fsyncs: UInt64(metrics.fsyncCount),
            fsyncP50Milliseconds: Double(histogram.valueAtPercentile(50)) / 1e6,
            fsyncP99Milliseconds: Double(histogram.valueAtPercentile(99)) / 1e6,
            recordsPerFsync: metrics.recordsPerFsync)
        status.firstIndex = replica.firstIndex
        status.lastIndex = replica.lastIndex + replica.acceptedEntriesBeyondCommit
        status.voter = replica.isVoter && replica.isVotingMember
        status.membership =
            replica.isVotingMember ? "voter" : replica.membership.contains(configuration.id) ? "learner" : "none"
        status.logBytes = Self.bytes(in: logStore.directory)
        return status
    }

    /// The bytes of the files in `directory` (segments are preallocated: their full size).
    private static func bytes(in directory: String) -> UInt64 {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.reduce(0) { total, name in
            let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? NSNumber)??
                .uint64Value
            return total + (size ?? 0)
        }
    }

    // MARK: - Actions

    func perform(_ actions: [ReplicaAction]) {
        var records: [[UInt8]] = []
        var lastToken: UInt64 = 0
        var applied: [ChosenSlot] = []
        var now: ClockInstant?  // read once, at the first commit answered in this turn
        for action in actions {
            switch action {
            case .send(let message, let peer):
                if case .catchUpReply(_, let values, _) = message {
                    metrics.catchUpEntriesSent.increment(by: Self.entryCount(values))
                }
                peerOutbox[peer, default: []].append(Frame(kind: FrameKind.peerMessage, payload: message.encoded()))
            case .broadcast(let message, let peers):
                let frame = Frame(kind: FrameKind.peerMessage, payload: message.encoded())
                for peer in peers { peerOutbox[peer, default: []].append(frame) }
            case .persist(let record, let token):
                records.append(record.encoded())
                lastToken = token
            case .apply(let chosen):
                applied.append(chosen)
            case .serveCatchUp(let fromSlot, let commitIndex, let peer):
                serveCatchUp(fromSlot: fromSlot, commitIndex: commitIndex, to: peer)
            case .installBase(let base):
                // Slots applied before the base in this same turn are part of it.
                applied.removeAll { $0.slot <= base.slot }
                guard installBase(base) else { return }
            case .appendOutcome(let key, let outcome):
                guard let (client, arrived) = keyOwner.removeValue(forKey: key) else { continue }
                switch outcome {
                case .committed:
                    metrics.proposalsCommitted.increment()
                    let answered = now ?? clock.now()
                    now = answered
                    metrics.commitLatency.recordNanoseconds((answered - arrived).nanosecondsValue)
                case .notLeader: metrics.appendsRejected(.notLeader)
                case .overloaded: metrics.appendsRejected(.overloaded)
                case .outOfOrder: metrics.appendsRejected(.outOfOrder)
                case .indexForgotten: metrics.appendsRejected(.indexForgotten)
                }
                appendOutbox[client, default: []].append((key, AppendStatus(outcome)))
            case .readReady(let id, let lastIndex):
                guard let read = linearizableReads.removeValue(forKey: id) else { continue }
                if logStore.lastIndex >= lastIndex {
                    answerRead(read.request, to: read.client, endIndex: lastIndex)
                } else {
                    readsAwaitingStore.append((read.client, read.request, lastIndex))
                }
            case .trimOutcome(let id, let outcome):
                guard let trim = trimRequests.removeValue(forKey: id) else { continue }
                let status: TrimResult.Status
                switch outcome {
                case .trimmed(let firstIndex):
                    logger.info("the log's first index is now \(firstIndex)")
                    status = .trimmed(firstIndex: firstIndex)
                case .notLeader(let leader):
                    status = .notLeader(leader: leader?.rawValue)
                }
                clients[trim.client]?.writeAndFlush(
                    Frame(
                        kind: FrameKind.trimResult,
                        payload: TrimResult(requestID: trim.requestID, status: status).encoded()),
                    promise: nil)
            case .transferOutcome(let id, let outcome):
                answerTransfer(id, outcome)
            case .peerLostState(let peer, let acknowledged, let held):
                logger.warning(
                    "node \(peer.rawValue) acknowledged slots through \(acknowledged) but now holds only through \(held): it lost state (restored from an older copy?); told it to rebuild before it votes again"
                )
            case .lostStateReported(let leader, let acknowledged, let held):
                logger.critical(
                    "the leader (node \(leader.rawValue)) says this node acknowledged slots through \(acknowledged), but it holds only through \(held): its data directory lost state (restored from an older copy?). It will not vote until it has rebuilt its log from a majority of the others"
                )
            case .readRejected(let id, let leader):
                guard let read = linearizableReads.removeValue(forKey: id) else { continue }
                send(
                    ReadResult(
                        requestID: read.request.requestID, status: .notLeader(leader: leader?.rawValue),
                        firstIndex: read.request.fromIndex, entries: [], endIndex: 0),
                    to: read.client)
            case .roleChanged(let role, let leader, let ballot):
                let leaderChanged = noteRoleChange(role, leader: leader, ballot: ballot)
                let ballotText = ballot.map { "\($0.number).\($0.uid.rawValue)" } ?? "-"
                logger.info(
                    "role \(role.rawValue), leader \(leader.map { "\($0.rawValue)" } ?? "unknown"), ballot \(ballotText)",
                    metadata: [
                        "event": .string(leaderChanged ? "leader_changed" : "role_changed"), "role": "\(role.rawValue)",
                        "leader": "\(leader.map { "\($0.rawValue)" } ?? "")", "ballot": "\(ballotText)",
                    ])
            case .membershipChanged(let membership, let slot):
                logger.notice(
                    "membership from slot \(slot + 1) on: \(membership)",
                    metadata: ["event": "membership_changed", "slot": "\(slot)"])
                let isMember = membership.contains(configuration.id)
                if wasMember && !isMember {
                    removedAt = slot
                    logger.warning(
                        "this node was removed from the membership at slot \(slot): it takes part in nothing more, and stops once it has applied what it knows is chosen"
                    )
                } else if isMember {
                    removedAt = nil
                }
                wasMember = isMember
                linkMembers(of: membership)
            case .membershipOutcome(let id, let outcome):
                answerMembershipChange(id, outcome)
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
        if !applied.isEmpty {
            progress.didApply(applied, at: now ?? clock.now())
            store(applied)
        }
    }

    /// Writes applied slots to the log store; once they are durable, reads waiting for them go.
    private func store(_ slots: [ChosenSlot]) {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let loop = eventLoop
        logStoreWriter.append(slots) { result in
            loop.execute {
                let core = bound.value
                switch result {
                case .success:
                    guard !core.isStopped else { return }
                    core.serveParkedReads()
                    core.writeCheckpointIfReady()
                    core.flush()
                case .failure(let error):
                    core.fail(error)
                }
            }
        }
    }

    /// Answers a catch-up request for slots older than the replica keeps in memory from the log
    /// store. Slots not yet durable there are left out; the peer asks again. Slots the store no
    /// longer holds (trimmed) are answered with the store's oldest base instead.
    private func serveCatchUp(fromSlot: Slot, commitIndex: Slot, to peer: NodeID) {
        if fromSlot < logStore.firstSlot {
            serveBase(fromSlot: fromSlot, commitIndex: commitIndex, to: peer)
            return
        }
        var chunk = CatchUpChunk(configuration: replica.configuration)
        var slots = logStore.slots(from: fromSlot)
        do {
            while chunk.hasRoom, let chosen = try slots.next(), chosen.slot <= commitIndex {
                chunk.add(chosen.value)
            }
        } catch {
            if stopIfDamaged(error) { return }
            logger.error("cannot serve catch-up from slot \(fromSlot) to peer \(peer.rawValue): \(error)")
            return
        }
        guard !chunk.values.isEmpty else { return }
        metrics.catchUpEntriesSent.increment(by: Self.entryCount(chunk.values))
        let reply = ReplicaMessage.catchUpReply(firstSlot: fromSlot, values: chunk.values, commitIndex: commitIndex)
        peerOutbox[peer, default: []].append(Frame(kind: FrameKind.peerMessage, payload: reply.encoded()))
    }

    private func serveBase(fromSlot: Slot, commitIndex: Slot, to peer: NodeID) {
        let base: LogBase
        do {
            guard let oldest = try logStore.oldestBase(), oldest.slot + 1 >= logStore.firstSlot else {
                logger.error(
                    "peer \(peer.rawValue) needs slot \(fromSlot), below this node's first stored slot \(logStore.firstSlot), and no base is kept to continue from"
                )
                return
            }
            base = oldest
        } catch {
            logger.error("cannot read the log base for peer \(peer.rawValue): \(error)")
            return
        }
        logger.info(
            "peer \(peer.rawValue) needs slot \(fromSlot), which was trimmed here: it continues from the base at slot \(base.slot) (index \(base.lastIndex))"
        )
        let reply = ReplicaMessage.catchUpBase(base, commitIndex: commitIndex)
        peerOutbox[peer, default: []].append(Frame(kind: FrameKind.peerMessage, payload: reply.encoded()))
    }

    /// The peers trimmed the slots this replica lacks: the log store starts afresh after `base`.
    /// Returns false when that failed and the node stopped.
    private func installBase(_ base: LogBase) -> Bool {
        checkpointQueue.sync {}  // no checkpoint is writing to, or trimming, the store being replaced
        checkpoints.waiting = nil
        do {
            try logStore.reset(to: base)
        } catch {
            fail(error)
            return false
        }
        logger.notice(
            "the peers no longer hold the slots this node lacks (trimmed): its log now continues from slot \(base.slot), holding the entries from index \(base.lastIndex + 1) (the log's first index is \(replica.firstIndex)); catching up from there"
        )
        return true
    }

    /// Appends the records to the journal; when they are durable, tells the replica.
    private func persist(_ records: [[UInt8]], through token: UInt64) {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let loop = eventLoop
        journalIssued += UInt64(records.count)
        journal.append(contentsOf: records) { result in
            loop.execute {
                let core = bound.value
                switch result {
                case .success(let sequences):
                    core.journalDurable = max(core.journalDurable, sequences.upperBound)
                    guard !core.isStopped else { return }
                    core.perform(core.replica.persisted(through: token, now: core.clock.now()))
                    core.writeCheckpointIfReady()
                    core.flush()
                case .failure(let error):
                    core.fail(error)
                }
            }
        }
    }

    func flush() {
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

    /// Reads the entries from the log store, on the event loop: a bounded read (`maxEntries`,
    /// `maxBytes`) of data written moments ago is mostly in the page cache.
    private func answerRead(_ request: ReadRequest, to client: Int, endIndex: UInt64) {
        let first = replica.firstIndex
        guard request.fromIndex >= first else {
            // Trimmed: never served, even while the bytes are still on disk.
            send(
                ReadResult(
                    requestID: request.requestID, status: .trimmed(firstIndex: first), firstIndex: first, entries: [],
                    endIndex: endIndex),
                to: client)
            return
        }
        // Caught up past a trim from a base: the entries up to the base are in the log, elsewhere.
        let firstHeld = max(first, (logStore.startBase?.lastIndex ?? 0) + 1)
        guard request.fromIndex >= firstHeld || request.fromIndex > endIndex else {
            send(
                ReadResult(
                    requestID: request.requestID, status: .notHeld(firstHeld: firstHeld), firstIndex: first,
                    entries: [], endIndex: endIndex),
                to: client)
            return
        }
        var end = endIndex
        if request.upTo > 0 { end = min(end, request.upTo) }
        var entries = ByteWriter(capacity: 64 << 10)
        var count = 0
        do {
            let firstSlot = logStore.firstSlot
            do {
                count = try logStore.encodedEntries(
                    from: max(request.fromIndex, 1), through: end, maxEntries: Int(request.maxEntries),
                    maxBytes: Int(request.maxBytes), into: &entries)
            } catch  where logStore.firstSlot != firstSlot {
                // A checkpoint deleted trimmed segments under the read (the segment it started in,
                // below the entries asked for): once more, from the store's new first slot.
                entries = ByteWriter(capacity: 64 << 10)
                count = try logStore.encodedEntries(
                    from: max(request.fromIndex, 1), through: end, maxEntries: Int(request.maxEntries),
                    maxBytes: Int(request.maxBytes), into: &entries)
            }
        } catch {
            if stopIfDamaged(error) { return }
            logger.error("cannot read entries from \(request.fromIndex) for a client: \(error)")
            send(
                ReadResult(
                    requestID: request.requestID, status: .failed("the node cannot read its log: \(error)"),
                    firstIndex: request.fromIndex, entries: [], endIndex: 0),
                to: client)
            return
        }
        let payload = ReadResult.encoded(
            requestID: request.requestID, firstIndex: max(request.fromIndex, 1), endIndex: endIndex, count: count,
            entries: entries.bytes)
        clients[client]?.writeAndFlush(Frame(kind: FrameKind.readResult, payload: payload), promise: nil)
    }

    private func send(_ result: ReadResult, to client: Int) {
        clients[client]?.writeAndFlush(Frame(kind: FrameKind.readResult, payload: result.encoded()), promise: nil)
    }

    private func serveParkedReads() {
        let stored = logStore.lastIndex
        let cleared = readsAwaitingStore.filter { stored >= $0.endIndex }
        readsAwaitingStore.removeAll { stored >= $0.endIndex }
        for read in cleared {
            answerRead(read.request, to: read.client, endIndex: read.endIndex)
        }
        let ready = parkedReads.filter { stored >= $0.request.fromIndex }
        guard !ready.isEmpty else { return }
        parkedReads.removeAll { stored >= $0.request.fromIndex }
        for read in ready {
            answerRead(read.request, to: read.client, endIndex: stored)
        }
    }

    private func expireParkedReads(now: ClockInstant) {
        let expired = parkedReads.filter { $0.deadline <= now || clients[$0.client] == nil }
        guard !expired.isEmpty else { return }
        parkedReads.removeAll { $0.deadline <= now || clients[$0.client] == nil }
        for read in expired where clients[read.client] != nil {
            answerRead(read.request, to: read.client, endIndex: logStore.lastIndex)
        }
    }
}

extension Duration {
    /// Whole nanoseconds in this duration.
    var nanosecondsValue: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Whole microseconds in this duration.
    var microsecondsValue: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
