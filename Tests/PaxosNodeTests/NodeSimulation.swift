import Foundation
import Logging
import NIOCore
import NIOEmbedded
import PaxosCore
import PaxosJournal
import PaxosLogStore
import PaxosProtocol
import PaxosReplica
import PaxosTestSupport
import PaxosTransport

@testable import PaxosNode

/// A seeded simulation of three whole nodes: each a real `NodeCore` (with its replica) on an
/// `EmbeddedEventLoop`, over a journal in memory (`SimulatedJournal`: completions late and in an
/// order the seed picks, fsync failures, crashes that keep a prefix of the unsynced writes), a
/// real log store in a temporary directory, and peer links into one simulated network that drops,
/// duplicates and reorders. Clients append through the core's client entry point over
/// `EmbeddedChannel`s and retry as the client library does. One `SeededGenerator` drives it all,
/// and no wall clock is read, so a seed replays exactly.
///
/// Checked as it runs: no promise or accepted reply leaves a node before its journal holds the
/// vote (persist before send); a node whose journal failed stops, and sends and answers nothing
/// more. Checked at the end, after the faults heal: every append completes; every acknowledged
/// append is in every node's log at the index it was acknowledged at; no index holds different
/// entries on two nodes; each entry is in the log once, as its client wrote it.
final class NodeSimulation {
    struct Violation: Error, CustomStringConvertible {
        var seed: UInt64
        var time: Int64
        var message: String
        var description: String {
            "seed \(seed) at \(Double(time) / 1e6) ms: \(message) (replay: PAXOSLOG_NODE_SEED=\(seed) "
                + "swift test --filter NodeSimulationTests)"
        }
    }

    /// A node's disk, which outlives its runs: the journal and the log store's directory.
    final class Disk {
        let journal = SimulatedJournal()
        let directory: String
        var votes = DurableVotes()

        init(directory: String) {
            self.directory = directory
        }
    }

    struct Client {
        var session: UInt64
        var nextSequence: UInt64 = 1
        /// Appends not yet acknowledged: their data, and when to send them again (nanoseconds).
        var pending: [ClientKey: (data: [UInt8], retryAt: Int64)] = [:]
        var preferred: NodeID?
    }

    let seed: UInt64
    var generator: SeededGenerator
    let members = (1...3).map { NodeID(UInt32($0)) }
    let replicaConfiguration: ReplicaConfiguration
    let network = SimulatedPeerNetwork()
    let secret: ClusterSecret
    let logger = Logger(label: "paxoslog.node-simulation") { _ in SwiftLogNoOpLogHandler() }
    /// The simulation's time, in nanoseconds.
    private(set) var now: Int64 = 0
    private(set) var nodes: [NodeID: SimulatedNode] = [:]
    private(set) var disks: [NodeID: Disk] = [:]
    var clients: [Client] = []
    var appendsToIssue: Int
    var issued: [ClientKey: [UInt8]] = [:]
    private(set) var acknowledged: [ClientKey: UInt64] = [:]
    var trace: [String] = []
    var isTracing = false

    // Faults, as percent of the steps of the faulty period.
    var crashPercent = 2
    var fsyncFailurePercent = 1
    var dropPercent = 4
    var duplicatePercent = 3

    // What happened, for the tests' summaries.
    private(set) var crashes = 0
    private(set) var fsyncFailures = 0
    private(set) var batchedTurns = 0

    /// Test-only faults that break a rule on purpose, so that the tests can show each check fires.
    enum Sabotage {
        case none
        /// The journal reports appends durable without writing them (a disk that lies about fsync).
        case journalLiesAboutDurability
        /// The journal hides fsync failures: it reports success and drops the records.
        case journalHidesFailures
        /// Restarted nodes find their journal and log store empty.
        case restartsForgetEverything
    }
    var sabotage = Sabotage.none

    init(seed: UInt64) throws {
        self.seed = seed
        generator = SeededGenerator(seed: seed)
        secret = try ClusterSecret(bytes: Array(repeating: 7, count: ClusterSecret.byteCount))
        replicaConfiguration = ReplicaConfiguration(
            members: members, heartbeatPeriod: .milliseconds(20), electionTimeout: .milliseconds(150),
            maxSlotsInFlight: 4, maxEntriesPerSlot: 4, catchUpChunkSlots: 3, maxQueuedEntries: 8,
            recentChosenSlots: 2)
        let clientCount = Int.random(in: 1...3, using: &generator)
        clients = (0..<clientCount).map { Client(session: 0xC000 + UInt64($0) + seed << 8) }
        appendsToIssue = Int.random(in: 10...40, using: &generator)
    }

    deinit {
        for node in nodes.values { try? node.tearDown() }
        for disk in disks.values { try? FileManager.default.removeItem(atPath: disk.directory) }
    }

    // MARK: - Running

    /// Starts every node, runs `faultyMilliseconds` of faults, heals, and requires every append to
    /// finish within `healMilliseconds`; then checks the logs.
    func run(faultyMilliseconds: Int64 = 2_000, healMilliseconds: Int64 = 10_000) throws {
        try startAll()
        let faultsEnd = now + faultyMilliseconds * 1_000_000
        while now < faultsEnd {
            try step(faulty: true)
        }
        for member in members where nodes[member] == nil { try start(member) }
        let deadline = now + healMilliseconds * 1_000_000
        while now < deadline && !(appendsToIssue == 0 && clients.allSatisfy { $0.pending.isEmpty } && converged) {
            try step(faulty: false)
        }
        let stuck = clients.flatMap { $0.pending.keys }
        // Safety first: a lost or changed entry says more than appends that did not finish.
        try checkLogs(complete: stuck.isEmpty && converged)
        guard stuck.isEmpty, converged else {
            let ends = members.map { "\($0): \(nodes[$0]?.logStore.lastIndex ?? 0)" }.joined(separator: ", ")
            throw violation(
                "\(stuck.count) appends pending, log ends \(ends), \(healMilliseconds) ms after the faults healed")
        }
    }

    func startAll() throws {
        for member in members where disks[member] == nil {
            disks[member] = Disk(directory: try makeTemporaryDirectory())
        }
        for member in members where nodes[member] == nil { try start(member) }
    }

    /// Runs fault-free steps until `condition` holds; false when it does not within `milliseconds`.
    func runWithoutFaults(milliseconds: Int64 = 5_000, until condition: () -> Bool) throws -> Bool {
        let deadline = now + milliseconds * 1_000_000
        while !condition() {
            guard now < deadline else { return false }
            try step(faulty: false)
        }
        return true
    }

    /// Every node holds the same log through the highest acknowledged index.
    var converged: Bool {
        let ends = members.map { nodes[$0]?.logStore.lastIndex ?? 0 }
        return Set(ends).count == 1 && (ends.first ?? 0) >= (acknowledged.values.max() ?? 0)
    }

    func step(faulty: Bool) throws {
        now += Int64.random(in: 200...2_000, using: &generator) * 1_000
        for member in members {
            guard let node = nodes[member] else { continue }
            node.advance(to: now)
            try settle(node)
        }
        let roll = Int.random(in: 0..<100, using: &generator)
        var threshold = 0
        func next(_ percent: Int) -> Bool {
            threshold += percent
            return roll < threshold
        }
        if next(40) {
            try deliverOne()
        } else if next(faulty ? dropPercent : 0) {
            if let lost = network.takeRandom(using: &generator) { record("drop \(lost.from)->\(lost.to)") }
        } else if next(faulty ? duplicatePercent : 0) {
            network.duplicateRandom(using: &generator)
        } else if next(25) {
            try completeWrites(of: members.randomElement(using: &generator) ?? members[0])
        } else if next(15) {
            try clientTurn()
        } else if next(faulty ? crashPercent : 0) {
            try crashOrRestart()
        } else if next(faulty ? fsyncFailurePercent : 0) {
            try failSync(of: members.randomElement(using: &generator) ?? members[0])
        } else {
            try deliverOne()
        }
    }

    /// Runs the node's loop until it has nothing to do, then checks what it sent and hands its
    /// clients their answers. Returns the peer frames it sent.
    @discardableResult
    func settle(_ node: SimulatedNode) throws -> [SimulatedPeerNetwork.Message] {
        node.loop.run()
        let sent = network.takeSent()
        for message in sent {
            try checkPersistedBeforeSent(message)
        }
        if node.framesSentAfterClose > 0 {
            throw violation("node \(node.id) sent \(node.framesSentAfterClose) frames after it closed their link")
        }
        for (client, frame) in try node.takeClientFrames() {
            guard frame.kind == FrameKind.appendResult else {
                throw violation("node \(node.id) sent client \(client) a frame of kind \(frame.kind)")
            }
            for (key, status) in try AppendResult(decoding: frame.payload).outcomes {
                try deliver(status, for: key, to: client, from: node.id)
            }
        }
        return sent
    }

    // MARK: - The network

    private func deliverOne() throws {
        guard let message = network.takeRandom(using: &generator) else { return }
        guard let node = nodes[message.to] else { return }
        guard message.frame.kind == FrameKind.peerMessage else {
            throw violation("node \(message.from) sent a frame of kind \(message.frame.kind) to a peer")
        }
        let decoded = try ReplicaMessage(decoding: message.frame.payload)
        record("\(message.from)->\(message.to) \(decoded)")
        node.core.receivePeerMessage(decoded, from: message.from)
        try settle(node)
    }

    /// Persist before send: a promise or an accepted reply reports a vote the sender's journal
    /// must already hold (the replica holds such replies until the journal's completion covers
    /// them; `NodeCore` must pass the completion on before it flushes them).
    private func checkPersistedBeforeSent(_ message: SimulatedPeerNetwork.Message) throws {
        guard let disk = disks[message.from], let node = nodes[message.from] else { return }
        let decoded = try ReplicaMessage(decoding: message.frame.payload)
        try disk.votes.fold(disk.journal.durableRecords)
        if let problem = disk.votes.unbacked(decoded, stored: node.logStore.lastSlot) {
            throw violation("persist before send: node \(message.from) told node \(message.to) \(problem)")
        }
    }

    // MARK: - The journals

    /// The node's disk completes some of its waiting appends, oldest first.
    private func completeWrites(of member: NodeID) throws {
        guard let node = nodes[member], let disk = disks[member], disk.journal.pendingBatches > 0 else { return }
        let count = Int.random(in: 1...disk.journal.pendingBatches, using: &generator)
        record("sync \(member): \(count) batches")
        if sabotage == .journalLiesAboutDurability {
            disk.journal.completeWithoutWriting(count)
        } else {
            disk.journal.complete(count)
        }
        try settle(node)
    }

    /// The node's next fsync fails: it must stop at once, and answer and send nothing more.
    private func failSync(of member: NodeID) throws {
        guard let node = nodes[member], let disk = disks[member], disk.journal.pendingBatches > 0 else { return }
        record("fsync fails at \(member)")
        fsyncFailures += 1
        if sabotage == .journalHidesFailures {
            disk.journal.completeWithoutWriting(disk.journal.pendingBatches)
        } else {
            disk.journal.failNextSync()
        }
        node.loop.run()
        let sent = network.takeSent().filter { $0.from == member }
        if let first = sent.first {
            throw violation(
                "fail-stop: node \(member) sent \(sent.count) frames to peers after its journal failed "
                    + "(first to \(first.to): \((try? ReplicaMessage(decoding: first.frame.payload)).map { "\($0)" } ?? "?"))"
            )
        }
        let answers = try node.takeClientFrames()
        guard answers.isEmpty else {
            throw violation(
                "fail-stop: node \(member) answered clients \(answers.count) times after its journal failed")
        }
        guard node.core.isStopped else {
            throw violation("fail-stop: node \(member)'s journal failed, but the node did not stop")
        }
        try crash(member, survivors: 0)
    }

    // MARK: - Crashes and restarts

    private func crashOrRestart() throws {
        let member = members.randomElement(using: &generator) ?? members[0]
        if nodes[member] == nil {
            try start(member)
        } else if nodes.count == members.count {
            // One node down at a time: the other two can always make progress.
            let pending = disks[member]?.journal.pendingBatches ?? 0
            try crash(member, survivors: Int.random(in: 0...pending, using: &generator))
        }
    }

    /// The node's process dies: its connections drop (frames to it are lost), its unsynced journal
    /// writes reach the disk for the first `survivors` appends only.
    private func crash(_ member: NodeID, survivors: Int) throws {
        guard let node = nodes.removeValue(forKey: member) else { return }
        crashes += 1
        record("crash \(member) (\(survivors) unsynced appends survive)")
        try node.tearDown()
        disks[member]?.journal.crash(survivors: survivors)
        network.removeAll { $0.to == member }
    }

    /// Starts the node from its disk through `NodeCore.restore`, as `NodeServer` does.
    func start(_ member: NodeID) throws {
        guard let disk = disks[member] else { return }
        if sabotage == .restartsForgetEverything && disk.votes.folded > 0 {
            disks[member] = Disk(directory: try makeTemporaryDirectory())
            try? FileManager.default.removeItem(atPath: disk.directory)
            return try start(member)
        }
        disk.journal.appendDurably([PersistRecord.started(incarnation: 1).encoded()])
        let records = try disk.journal.durableRecords.map { try PersistRecord(decoding: $0) }
        try disk.votes.fold(disk.journal.durableRecords)
        let loop = EmbeddedEventLoop()
        let logStore = try LogStore.open(
            directory: disk.directory + "/log", options: JournalOptions(codec: .none, segmentSize: 1 << 16))
        let writer = SteppedLogStoreWriter(store: logStore)
        let dialer = SimulatedPeerDialer(network: network, node: member)
        var configuration = replicaConfiguration
        configuration.randomSeed = generator.next()
        let restored = try NodeCore.restore(
            configuration: nodeConfiguration(member, directory: disk.directory), replicaConfiguration: configuration,
            snapshot: nil, records: records,
            io: NodeIO(journal: disk.journal, logStore: logStore, logStoreWriter: writer, dialer: dialer),
            clock: NodeClock(reading: { loop.now }), eventLoop: loop, logger: logger, metrics: NodeMetrics())
        if !restored.missing.isEmpty {
            writer.append(restored.missing) { _ in }
        }
        guard logStore.lastSlot == restored.core.replica.commitIndex else {
            throw violation(
                "node \(member) restarted at slot \(restored.core.replica.commitIndex), its store at \(logStore.lastSlot)"
            )
        }
        restored.core.start()
        let node = SimulatedNode(
            id: member, loop: loop, core: restored.core, logStore: logStore, dialer: dialer, bornAt: now)
        // Its connections reach the others, and theirs reach it.
        for (other, running) in nodes {
            running.core.peerConnected(member, incarnation: 1)
            node.core.peerConnected(other, incarnation: 1)
        }
        nodes[member] = node
        record("start \(member) at slot \(restored.core.replica.commitIndex)")
        try settle(node)
    }

    private func nodeConfiguration(_ member: NodeID, directory: String) -> NodeConfiguration {
        var peers: [NodeID: TransportAddress] = [:]
        for peer in members where peer != member { peers[peer] = .unix(path: "/simulated/\(peer.rawValue)") }
        var configuration = NodeConfiguration(
            id: member, dataDirectory: directory, listen: .unix(path: "/simulated/\(member.rawValue)"), peers: peers,
            clusterID: 7, secret: secret, heartbeatPeriod: replicaConfiguration.heartbeatPeriod,
            electionTimeout: replicaConfiguration.electionTimeout, tickInterval: .milliseconds(10),
            maxEntryBytes: 1 << 10)
        // Checkpoints write on a queue of their own and would hop back from its thread: not here.
        configuration.checkpointInterval = .seconds(1_000_000)
        configuration.incarnation = 1
        return configuration
    }

    // MARK: - Clients

    /// Some clients send, in this one turn of one node's loop, their due retries and maybe a new
    /// entry each: when several do, the node must propose their entries together.
    private func clientTurn() throws {
        var turn = [Int.random(in: clients.indices, using: &generator)]
        if clients.count > 1 && generator.chance(30) {
            turn = Array(clients.indices)
        }
        let member = target(for: turn[0])
        guard let node = nodes[member] else { return }
        var senders = 0
        for which in turn {
            let entries = nextEntries(of: which)
            guard !entries.isEmpty else { continue }
            senders += 1
            record("client \(which) \(entries.map { "\($0.key)" }.joined(separator: ",")) -> \(member)")
            node.core.receiveAppend(AppendRequest(entries: entries), from: node.connection(for: which))
        }
        if senders > 1 { batchedTurns += 1 }
        try settle(node)
    }

    /// As the client library does: retries that are due, in sequence order, then a new entry.
    private func nextEntries(of which: Int) -> [ClientEntry] {
        var client = clients[which]
        var sends: [ClientEntry] = []
        for (key, pending) in client.pending.sorted(by: { $0.key.sequence < $1.key.sequence })
        where pending.retryAt <= now {
            client.pending[key] = (pending.data, now + 300_000_000)
            sends.append(ClientEntry(key: key, data: pending.data))
        }
        if appendsToIssue > 0 && client.pending.count < 4 {
            appendsToIssue -= 1
            let key = ClientKey(session: client.session, sequence: client.nextSequence)
            client.nextSequence += 1
            let data = Array("s\(client.session)-\(key.sequence)".utf8)
            issued[key] = data
            client.pending[key] = (data, now + 300_000_000)
            sends.append(ClientEntry(key: key, data: data))
        }
        clients[which] = client
        return sends
    }

    private func target(for which: Int) -> NodeID {
        if let preferred = clients[which].preferred, generator.chance(80) { return preferred }
        return members.randomElement(using: &generator) ?? members[0]
    }

    private func deliver(_ status: AppendStatus, for key: ClientKey, to which: Int, from member: NodeID) throws {
        guard clients.indices.contains(which), clients[which].session == key.session else {
            throw violation("node \(member) answered client \(which) for \(key), which it did not send")
        }
        record("\(member) answers \(key): \(status)")
        switch status {
        case .committed(let index):
            if let earlier = acknowledged[key], earlier != index {
                throw violation("\(key) acknowledged at index \(earlier) and again at \(index)")
            }
            acknowledged[key] = index
            clients[which].pending[key] = nil
            clients[which].preferred = member
        case .notLeader(let leader):
            clients[which].preferred = leader.map { NodeID($0) }
            clients[which].pending[key]?.retryAt = now + (leader == nil ? 50_000_000 : 1_000_000)
        case .busy:
            clients[which].preferred = member
            clients[which].pending[key]?.retryAt = now + 20_000_000
        case .outOfOrder(let expected):
            // Like the client library: everything unconfirmed from `expected` on goes again, in order.
            clients[which].preferred = member
            for pendingKey in clients[which].pending.keys where pendingKey.sequence >= expected {
                clients[which].pending[pendingKey]?.retryAt = now
            }
        case .failed(let reason):
            throw violation("node \(member) failed \(key): \(reason)")
        }
    }

    // MARK: - The logs

    /// Each node's log, read back from its log store: entry by index.
    func log(of member: NodeID) throws -> [UInt64: ClientEntry] {
        guard let node = nodes[member] else { return [:] }
        var entries: [UInt64: ClientEntry] = [:]
        var slots = node.logStore.slots(from: node.logStore.firstSlot)
        while let chosen = try slots.next() {
            for (offset, entry) in chosen.appliedEntries.enumerated() {
                entries[chosen.firstIndex + UInt64(offset)] = entry
            }
        }
        return entries
    }

    /// Every acknowledged append is in every node's log at its index (when `complete`: every
    /// node caught up; otherwise in the logs that reach its index, and at least one must); no
    /// index holds different entries on two nodes; each entry is in a log once, with the data its
    /// client wrote.
    func checkLogs(complete: Bool) throws {
        let logs = try members.map { try log(of: $0) }
        for (member, log) in zip(members, logs) {
            var seen: [ClientKey: UInt64] = [:]
            for (index, entry) in log.sorted(by: { $0.key < $1.key }) {
                if let earlier = seen.updateValue(index, forKey: entry.key) {
                    throw violation("node \(member) holds \(entry.key) twice, at \(earlier) and \(index)")
                }
                guard issued[entry.key] == entry.data else {
                    throw violation("node \(member) holds at \(index) an entry no client wrote: \(entry.key)")
                }
            }
        }
        for (index, entry) in logs[0] {
            for (member, log) in zip(members, logs).dropFirst() where log[index] != nil && log[index] != entry {
                throw violation(
                    "index \(index) holds \(entry.key) on node \(members[0]) but \(log[index].map { "\($0.key)" } ?? "-") on node \(member)"
                )
            }
        }
        for (key, index) in acknowledged.sorted(by: { $0.value < $1.value }) {
            // The leader wrote it to its log store before it answered, and a store keeps what it
            // wrote: an index no log reaches was lost.
            if !complete && logs.allSatisfy({ $0[index] == nil }) {
                throw violation("\(key) was acknowledged at index \(index), but no node's log holds that index")
            }
            for (member, log) in zip(members, logs) where log[index]?.key != key && (complete || log[index] != nil) {
                throw violation(
                    "\(key) was acknowledged at index \(index), but node \(member) holds \(log[index].map { "\($0.key)" } ?? "nothing") there"
                )
            }
        }
    }

    // MARK: - Tracing

    /// A digest of the trace (FNV-1a), the same in every run of the same seed.
    var traceDigest: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in trace.joined(separator: "\n").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    func record(_ event: @autoclosure () -> String) {
        if isTracing { trace.append("\(Double(now) / 1e6) ms: \(event())") }
    }

    func violation(_ message: String) -> Violation {
        Violation(seed: seed, time: now, message: message)
    }
}
