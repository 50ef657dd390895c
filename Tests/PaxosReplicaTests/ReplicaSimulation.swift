import PaxosCore
import PaxosProtocol
import PaxosReplica
import PaxosTestSupport
import PaxosTransport

/// A seeded simulation of a Multi-Paxos cluster: replicas, their journals, an unreliable network,
/// crashes, partitions and clients, all driven by one `SeededGenerator`, so a seed replays exactly.
///
/// Checked on every event: no two replicas choose different values for a slot; every acknowledged
/// append is in the log exactly once at the index it was given; nothing is in the log that no
/// client appended. After the faults heal, every pending append must complete within a bound.
struct ReplicaSimulation {
    struct Violation: Error, CustomStringConvertible {
        var seed: UInt64
        var time: ClockInstant
        var message: String
        var description: String {
            "seed \(seed) at \(time): \(message) (replay: PAXOSLOG_SEED=\(seed) swift test --filter ReplicaSimulation)"
        }
    }

    /// A replica's journal: records on disk, and records handed to the disk and not yet synced;
    /// `durable` holds the records after the checkpoint, when there is one.
    struct Disk {
        var checkpoint: ReplicaSnapshot?
        var durable: [PersistRecord] = []
        var pending: [(token: UInt64, record: PersistRecord)] = []
    }

    struct Client {
        var session: UInt64
        var nextSequence: UInt64 = 1
        /// Appends not yet acknowledged: their data, and when to retry.
        var pending: [ClientKey: (data: [UInt8], retryAt: ClockInstant)] = [:]
        var preferred: NodeID?
    }

    let seed: UInt64
    let members: [NodeID]
    let configuration: ReplicaConfiguration
    var generator: SeededGenerator
    var now = ClockInstant.zero
    var replicas: [NodeID: Replica] = [:]
    var disks: [NodeID: Disk] = [:]
    /// Each replica's log store: the slots it applied, which survive its restarts.
    var logStores: [NodeID: SimulatedLogStore] = [:]
    var down: Set<NodeID> = []
    /// Directed links that lose every message (partitions, one-way ones included).
    var cutLinks: Set<[UInt32]> = []
    var network = SimulatedNetwork<ReplicaMessage>()
    var clients: [Client] = []
    var appendsToIssue: Int

    // What the checks compare against.
    var chosenBySlot: [Slot: SlotValue] = [:]
    var logKeys: [ClientKey] = []
    var issued: [ClientKey: [UInt8]] = [:]
    var acknowledged: [ClientKey: UInt64] = [:]
    /// Each session's latest sequence in the log: the next one in must follow it (input order).
    var lastSequenceInLog: [UInt64: UInt64] = [:]
    /// Reads in progress, with the highest index acknowledged when each was requested.
    var pendingReads: [UInt64: UInt64] = [:]
    var nextReadID: UInt64 = 1
    var readsServed = 0
    /// The log's first index once each slot has applied: every replica must agree, and a replica's
    /// own first index must always be the one after its commit index (restarts included).
    var firstIndexAfterSlot: [Slot: UInt64] = [:]
    /// Percent of client steps that ask for a trim, and of journal completions followed by a
    /// checkpoint (which keeps a base and deletes trimmed "segments").
    var trimPercent = 4
    var checkpointPercent = 5
    /// A member cut off from every other for the whole faulty period: it comes back behind
    /// whatever the others trimmed meanwhile.
    var isolatedDuringFaults: NodeID?
    private var faultsEndAt: ClockInstant?
    var trimsRequested = 0
    var trimsApplied = 0
    /// Percent of client steps during the faulty period that ask the member they talk to for a
    /// leadership transfer to a random member (the leader pauses proposals, the target runs phase
    /// 1 at once); a family of its own (0 elsewhere, so the other families' seeds run as before).
    /// Not after the heal: each failed transfer pauses the leader for an election timeout, and the
    /// run checks that appends then complete.
    var transferPercent = 0
    var transfersRequested = 0
    var transfersDone = 0
    /// Percent of client steps during the faulty period that ask a random node for a membership
    /// change (add a spare as learner, promote a learner, remove a member); with `spares` nodes
    /// outside the first membership (see `init(seed:spares:)`).
    var membershipPercent = 0
    var membershipRequested = 0
    var membershipChanged = 0
    var promotions = 0
    var voterRemovals = 0
    /// The latest membership any replica applied, and the slot it applied at.
    var knownMembership: (slot: Slot, membership: Membership)?
    var basesInstalled = 0
    /// Percent of restarts whose log store is found damaged and cut below the node's checkpoint
    /// (`Replica+StoreRepair.swift`); 0 elsewhere, so the other families' seeds run as before.
    var storeDamagePercent = 0
    var storeRepairs = 0
    var nextTrimID: UInt64 = 1
    var trace: [String] = []
    var isTracing = false
    /// Test-only fault: replicas restart with an empty journal. Unsafe on purpose, to show that the
    /// checks catch a replica that does not keep its promises.
    var forgetfulRestarts = false

    /// How a restart may lose journal records: all of them (a deleted data directory), a suffix (a
    /// truncated journal, a restore from an older copy) or the last synced batch (damaged).
    enum Amnesia {
        /// Restarts keep every synced record.
        case never
        /// Some restarts lose records and the node notices: its journal continues with
        /// `.recoveryStarted`, as `paxoslog node` writes it.
        case detected
        /// Some restarts lose records unnoticed. Unsafe on purpose: the checks must catch it.
        case undetected
    }
    var amnesia = Amnesia.detected
    /// Percent of delivered messages whose frame bytes are mutated on the way (`ByteMutator`). Each
    /// message travels as a real transport frame and is decoded by the real frame and message
    /// decoders, so a mutant must be refused by them or be caught by the checks.
    var corruptionPercent = 0
    /// Mutated frames delivered, and how many of those the frame checksum refused.
    var framesMutated = 0
    var mutantsRefused = 0
    /// Replicas that restarted with lost state and do not vote yet. At most one at a time: with
    /// more, no majority may remember an acknowledged entry and the cluster rightly waits forever.
    var nonVoters: Set<NodeID> = []
    /// Replicas that lost state unnoticed and were told so by their leader.
    var stateLossesReported = 0
    /// Where each replica's last synced batch starts in its durable records.
    var lastBatchStart: [NodeID: Int] = [:]

    /// - Parameter spares: nodes that run from the start but are in no membership until a
    ///   membership change adds them (`members` holds them too: every node the simulation runs).
    init(seed: UInt64, spares: Int = 0) {
        self.seed = seed
        generator = SeededGenerator(seed: seed)
        let count = generator.chance(60) ? 3 : 5
        let firstMembers = (1...count).map { NodeID(UInt32($0)) }
        members = (1...(count + spares)).map { NodeID(UInt32($0)) }
        configuration = ReplicaConfiguration(
            members: firstMembers, heartbeatPeriod: .milliseconds(20), electionTimeout: .milliseconds(150),
            maxSlotsInFlight: 4, maxEntriesPerSlot: 3, catchUpChunkSlots: 3,
            // A leader queue of a few entries: clients meet back-pressure and retry.
            maxQueuedEntries: 4,
            // Two recent slots in memory: catch-up and promises mostly take the log store's path.
            recentChosenSlots: 2, randomSeed: seed)
        for member in members {
            replicas[member] = Replica(id: member, configuration: configuration, now: now)
            disks[member] = Disk()
            logStores[member] = SimulatedLogStore()
        }
        let clientCount = Int.random(in: 1...3, using: &generator)
        clients = (0..<clientCount).map { Client(session: 0xC000 + UInt64($0) + seed << 8) }
        appendsToIssue = Int.random(in: 10...40, using: &generator)
    }

    // MARK: - Running

    /// Runs `faultyMilliseconds` of simulated time with faults, then heals everything and requires
    /// every append to finish within `healMilliseconds`.
    mutating func run(faultyMilliseconds: Int = 3_000, healMilliseconds: Int = 10_000) throws(Violation) {
        let faultsEnd = now + .milliseconds(faultyMilliseconds)
        faultsEndAt = faultsEnd
        while now < faultsEnd {
            try step(faulty: true)
        }
        cutLinks = []
        for member in down.sorted() { try restart(member) }
        let deadline = now + .milliseconds(healMilliseconds)
        while now < deadline {
            try step(faulty: false)
            if appendsToIssue == 0 && clients.allSatisfy({ $0.pending.isEmpty }) { break }
        }
        let stuck = clients.flatMap { $0.pending.keys }
        guard stuck.isEmpty else {
            let commits = members.map { "\($0): \(replicas[$0]?.commitIndex ?? 0)" }.joined(separator: ", ")
            throw violation(
                "\(stuck.count) appends still pending \(healMilliseconds) ms after the faults healed (commit slots "
                    + "\(commits); \(network.inFlight.count) messages in flight)")
        }
        for (key, index) in acknowledged where index > logKeys.count || logKeys[Int(index - 1)] != key {
            throw violation(
                "acknowledged \(key) at \(index) but the log has \(index <= logKeys.count ? "\(logKeys[Int(index - 1)])" : "nothing") there"
            )
        }
    }

    mutating func step(faulty: Bool) throws(Violation) {
        now = now + .microseconds(Int64.random(in: 200...2_000, using: &generator))
        let roll = Int.random(in: 0..<100, using: &generator)
        switch roll {
        case 0..<45:
            try deliverOne()
        case 45..<50 where faulty:
            network.dropRandom(using: &generator)
        case 50..<54 where faulty:
            network.duplicateRandom(using: &generator)
        case 54..<75:
            let member = members.randomElement(using: &generator) ?? members[0]
            try completeWrites(of: member)
            if generator.chance(checkpointPercent) { checkpoint(member) }
        case 75..<88:
            for member in members where !down.contains(member) {
                try perform(update(member) { $0.tick(now: $1) }, by: member)
            }
        case 88..<97:
            try clientStep(faulty: faulty)
        case 97 where faulty:
            try crashOrRestart()
        case 98 where faulty:
            changePartition()
        default:
            try deliverOne()
        }
    }

    private mutating func deliverOne() throws(Violation) {
        guard let envelope = network.takeRandom(using: &generator) else { return }
        let to = NodeID(envelope.to)
        guard !down.contains(to), !cutLinks.contains([envelope.from, envelope.to]) else { return }
        if let away = isolatedDuringFaults?.rawValue, let end = faultsEndAt, now < end,
            envelope.from == away || envelope.to == away
        {
            return
        }
        guard let message = corruptionPercent > 0 ? carryOverTheWire(envelope.payload) : envelope.payload else {
            return
        }
        record("\(envelope.from)->\(envelope.to) \(message)")
        try perform(update(to) { $0.receive(message, from: NodeID(envelope.from), now: $1) }, by: to)
    }

    /// The message as a transport frame, maybe mutated, decoded on the other side; nil when the
    /// decoders refuse it (the connection would close and the sender re-send).
    private mutating func carryOverTheWire(_ message: ReplicaMessage) -> ReplicaMessage? {
        var wire = Frame(kind: 16, payload: message.encoded()).wireBytes()
        var mutated = generator.chance(corruptionPercent)
        if mutated {
            let original = wire
            wire = ByteMutator().mutate(wire, using: &generator)
            // A mutation may undo itself (a byte set to the value it had): only a change counts.
            mutated = wire != original
            if mutated { framesMutated += 1 }
        }
        guard let frame = try? Frame(wireBytes: wire), let decoded = try? ReplicaMessage(decoding: frame.payload) else {
            if mutated { mutantsRefused += 1 }
            return nil
        }
        return decoded
    }

    /// The disk syncs some of what is pending, in order (a journal fsyncs batches in order).
    private mutating func completeWrites(of member: NodeID) throws(Violation) {
        guard !down.contains(member), var disk = disks[member], !disk.pending.isEmpty else { return }
        let count = Int.random(in: 1...disk.pending.count, using: &generator)
        let synced = disk.pending.prefix(count)
        lastBatchStart[member] = disk.durable.count
        disk.durable += synced.map(\.record)
        disk.pending.removeFirst(count)
        disks[member] = disk
        guard let token = synced.last?.token else { return }
        record("sync \(member) through \(token)")
        try perform(update(member) { $0.persisted(through: token, now: $1) }, by: member)
    }

    /// The node's checkpoint: taken when every record it issued is durable (the node waits for
    /// that) and the log store holds every applied slot; the journal before it is deleted.
    private mutating func checkpoint(_ member: NodeID) {
        guard !down.contains(member), var disk = disks[member], disk.pending.isEmpty, let replica = replicas[member],
            (logStores[member]?.lastSlot ?? 0) >= replica.commitIndex,
            replica.commitIndex >= replica.votesHeldUntil  // the node keeps the checkpoint from before the damage
        else { return }
        let snapshot = replica.snapshot()
        disk.checkpoint = snapshot
        disk.durable = []
        disks[member] = disk
        // As the node does after a checkpoint: keep a base, delete trimmed "segments".
        logStores[member]?.recordBase(snapshot.logBase)
        logStores[member]?.trim(before: snapshot.firstIndex, keepingFrom: snapshot.commitIndex)
        lastBatchStart[member] = 0
        record("checkpoint \(member) at slot \(replica.commitIndex)")
    }

    private mutating func crashOrRestart() throws(Violation) {
        let member = members.randomElement(using: &generator) ?? members[0]
        if down.contains(member) {
            if amnesia != .never && nonVoters.isEmpty && !othersHoldVotes(than: member) && generator.chance(30) {
                loseState(of: member)
            }
            try restart(member)
            return
        }
        down.insert(member)
        // Whatever was written but not synced may or may not have reached the disk: a prefix did.
        if var disk = disks[member] {
            let survived = Int.random(in: 0...disk.pending.count, using: &generator)
            disk.durable += disk.pending.prefix(survived).map(\.record)
            disk.pending = []
            disks[member] = disk
            // A replica that had just rebuilt lost state may come back rebuilding still (its
            // `recoveryCompleted` did not reach the disk): it counts as the one non-voter now,
            // before another member may lose state.
            let restarted = Replica.recover(
                id: member, configuration: configuration, snapshot: disk.checkpoint, records: disk.durable, now: now)
            if !restarted.isVoter { nonVoters.insert(member) }
        }
        // The log store's latest writes may not have reached the disk either; the journal has them.
        if var store = logStores[member] {
            // What a checkpoint covers was synced before the checkpoint was written.
            // A restart from a base is synced when it happens.
            let synced = max(
                disks[member]?.checkpoint?.commitIndex ?? 0, store.startBase?.slot ?? 0, store.firstSlot - 1)
            // (A replica restarted with a forgotten journal, in the checker's own test, may hold
            // less than its old checkpoint covered.)
            let unsynced = store.lastSlot > synced ? store.lastSlot - synced : 0
            let lost = Int.random(in: 0...Int(min(3, unsynced)), using: &generator)
            store.dropLast(lost)
            logStores[member] = store
        }
        record("crash \(member)")
    }

    /// The log's state at the end of `store`, as the node rebuilds it after a cut; nil when the
    /// store keeps no base its first slot follows.
    private func logState(of store: SimulatedLogStore, _ member: NodeID) -> LogBase? {
        var replica = Replica.recover(id: member, configuration: configuration, records: [], now: now)
        if let base = store.newestBaseToReplayFrom {
            replica.restoreBase(base)
        } else if store.firstSlot > 1 {
            return nil
        }
        while replica.commitIndex < store.lastSlot, let value = store.value(at: replica.commitIndex + 1) {
            replica.restoreChosen(value, at: replica.commitIndex + 1)
        }
        return replica.snapshot().logBase
    }

    /// Whether a member other than `member` is still learning again slots its log store lost.
    private func othersHoldVotes(than member: NodeID) -> Bool {
        replicas.values.contains { $0.id != member && $0.commitIndex < $0.votesHeldUntil }
    }

    /// The member's journal loses records: everything, a suffix, or its last synced batch.
    private mutating func loseState(of member: NodeID) {
        guard var disk = disks[member] else { return }
        let kept: Int
        switch Int.random(in: 0..<3, using: &generator) {
        case 0:
            kept = 0
            logStores[member] = SimulatedLogStore()  // the whole data directory
            disk.checkpoint = nil
        case 1: kept = Int.random(in: 0...disk.durable.count, using: &generator)
        default: kept = min(lastBatchStart[member] ?? 0, disk.durable.count)
        }
        disk.durable.removeLast(disk.durable.count - kept)
        lastBatchStart[member] = kept
        if amnesia == .detected {
            disk.durable.append(.recoveryStarted)
            nonVoters.insert(member)
        }
        disks[member] = disk
        record("\(member) loses its journal after record \(kept)")
    }

    private mutating func restart(_ member: NodeID) throws(Violation) {
        down.remove(member)
        var store = forgetfulRestarts ? SimulatedLogStore() : logStores[member] ?? SimulatedLogStore()
        let checkpoint = forgetfulRestarts ? nil : disks[member]?.checkpoint
        let records = forgetfulRestarts ? [] : disks[member]?.durable ?? []
        // One damaged member at a time, as with lost state: the others hold what it lost.
        if storeDamagePercent > 0, let checkpoint, !store.slots.isEmpty, nonVoters.subtracting([member]).isEmpty,
            !othersHoldVotes(than: member), generator.chance(storeDamagePercent)
        {
            let kept = Int.random(in: 0..<store.slots.count, using: &generator)
            store.cutAtDamage(keeping: kept)
            record(
                "\(member) log store cut at damage after slot \(store.lastSlot) (checkpoint \(checkpoint.commitIndex))")
        }
        var replica: Replica
        if let checkpoint, checkpoint.commitIndex > store.lastSlot, let end = logState(of: store, member) {
            // As the node does (`NodeServer.restore`): back to the store's end, votes held until
            // the slots are learned again.
            storeRepairs += 1
            let knew = Replica.recover(
                id: member, configuration: configuration, snapshot: checkpoint, records: records, now: now
            ).commitIndex
            var recovered: [ChosenSlot] = []
            replica = Replica.recover(
                id: member, configuration: configuration, snapshot: checkpoint.rolledBack(to: end),
                records: Replica.recordsForRollback(records, chosenThrough: checkpoint.commitIndex), now: now
            ) { recovered.append($0) }
            replica.holdVotes(untilCommitted: knew)
            if let base = replica.installedBase, base.slot > store.lastSlot { store.reset(to: base) }
            for chosen in recovered where chosen.slot == store.lastSlot + 1 { store.append(chosen) }
        } else {
            if let checkpoint, checkpoint.commitIndex > store.lastSlot {
                // No base left to go back to: the store continues after the checkpoint.
                storeRepairs += 1
                store.reset(to: checkpoint.logBase)
            }
            replica = Replica.recover(
                id: member, configuration: configuration, snapshot: checkpoint, records: records, now: now
            ) { store.append($0) }
        }
        store.restore(into: &replica)
        // The recovered log must agree with what was chosen.
        for chosen in store.slots {
            if let value = chosenBySlot[chosen.slot], value != chosen.value {
                throw violation("\(member) recovered a different value for slot \(chosen.slot)")
            }
        }
        guard replica.commitIndex == store.lastSlot else {
            throw violation("\(member) restarted at commit \(replica.commitIndex), its log store at \(store.lastSlot)")
        }
        logStores[member] = store
        replicas[member] = replica
        // Still rebuilding (a crash may have lost its `recoveryCompleted` record before it synced):
        // it counts against the one non-voter at a time.
        if !replica.isVoter { nonVoters.insert(member) }
        // Its new connections reach the others' transports (messages of its old run may still be
        // in flight: they arrive after, as a late frame on an old connection could).
        for other in members where other != member {
            replicas[other]?.peerReconnected(member)
        }
        record("restart \(member) commit \(replica.commitIndex)")
    }

    private mutating func changePartition() {
        if !cutLinks.isEmpty && generator.chance(50) {
            cutLinks = []
            record("heal")
            return
        }
        let from = members.randomElement(using: &generator) ?? members[0]
        let to = members.randomElement(using: &generator) ?? members[0]
        guard from != to else { return }
        cutLinks.insert([from.rawValue, to.rawValue])
        if generator.chance(50) { cutLinks.insert([to.rawValue, from.rawValue]) }
        record("cut \(from)-\(to)")
    }

    // MARK: - Clients

    private mutating func clientStep(faulty: Bool) throws(Violation) {
        let which = Int.random(in: clients.indices, using: &generator)
        var client = clients[which]
        // Like the client library, a client sends its entries in sequence order, over one
        // connection: retries that are due, then a new entry.
        var sends: [ClientEntry] = []
        let member = target(for: client)
        for (key, pending) in client.pending.sorted(by: { $0.key.sequence < $1.key.sequence })
        where pending.retryAt <= now {
            client.pending[key] = (pending.data, now + .milliseconds(300))
            sends.append(ClientEntry(key: key, data: pending.data))
        }
        if appendsToIssue > 0 && client.pending.count < 4 {
            appendsToIssue -= 1
            let key = ClientKey(session: client.session, sequence: client.nextSequence)
            client.nextSequence += 1
            let data = Array("s\(client.session)-\(key.sequence)".utf8)
            issued[key] = data
            client.pending[key] = (data, now + .milliseconds(300))
            sends.append(ClientEntry(key: key, data: data))
        }
        clients[which] = client
        if generator.chance(trimPercent) {
            // A trim to a random point of the log, past its end too.
            let member = target(for: client)
            let before = UInt64.random(in: 1...UInt64(logKeys.count + 2), using: &generator)
            trimsRequested += 1
            nextTrimID += 1
            if !down.contains(member) {
                record("trim before \(before) -> \(member)")
                let id = nextTrimID
                try perform(update(member) { $0.requestTrim(before: before, id: id, now: $1) }, by: member)
            }
        }
        if faulty && transferPercent > 0 && generator.chance(transferPercent) {
            let member = target(for: client)
            let to = members.randomElement(using: &generator) ?? members[0]
            transfersRequested += 1
            if !down.contains(member) {
                record("transfer to \(to) -> \(member)")
                let id = UInt64(transfersRequested)
                try perform(update(member) { $0.requestTransfer(to: to, id: id, now: $1) }, by: member)
            }
        }
        if faulty && membershipPercent > 0 && generator.chance(membershipPercent) {
            // Mostly to the leader, as the CLI would after a redirect.
            let leader = members.first { replicas[$0]?.role == .leader && !down.contains($0) }
            try requestMembershipChange(at: generator.chance(80) ? leader ?? target(for: client) : target(for: client))
        }
        if generator.chance(20) {
            // A linearizable read: it must cover everything acknowledged before it started.
            let member = target(for: client)
            let id = nextReadID
            nextReadID += 1
            pendingReads[id] = acknowledged.values.max() ?? 0
            if !down.contains(member) {
                record("read \(id) -> \(member)")
                try perform(update(member) { $0.requestRead(id: id, now: $1) }, by: member)
            }
        }
        if !sends.isEmpty && !down.contains(member) {
            record("client \(sends.map { "\($0.key)" }.joined(separator: ",")) -> \(member)")
            try perform(update(member) { $0.append(sends, now: $1) }, by: member)
        }
    }

    /// Asks `member` for a change that fits the latest membership: add a spare, promote a
    /// learner, or remove a member while at least three voters would remain (fewer, and one
    /// voter's lost state could leave no majority that remembers: the cluster would rightly wait).
    private mutating func requestMembershipChange(at member: NodeID) throws(Violation) {
        let current = knownMembership?.membership ?? Membership(voters: configuration.members)
        let outside = members.filter { !current.contains($0) }
        var choices: [MembershipChange] = []
        if let spare = outside.randomElement(using: &generator) {
            choices.append(.addLearner(spare, address: "sim:\(spare.rawValue)"))
        }
        if let learner = current.learners.randomElement(using: &generator) {
            choices += [.promote(learner), .promote(learner), .remove(learner)]
        }
        if current.voters.count > 3, let voter = current.voters.randomElement(using: &generator) {
            choices.append(.remove(voter))
        }
        guard let change = choices.randomElement(using: &generator), !down.contains(member) else { return }
        membershipRequested += 1
        let id = UInt64(membershipRequested)
        record("membership \(change) -> \(member)")
        try perform(update(member) { $0.requestMembershipChange(change, id: id, now: $1) }, by: member)
    }

    private mutating func target(for client: Client) -> NodeID {
        if let preferred = client.preferred, generator.chance(80) { return preferred }
        return members.randomElement(using: &generator) ?? members[0]
    }

    private mutating func deliverOutcome(_ key: ClientKey, _ outcome: AppendOutcome, from member: NodeID)
        throws(Violation)
    {
        guard let which = clients.firstIndex(where: { $0.session == key.session }) else {
            throw violation("outcome for unknown session \(key)")
        }
        record("\(member) answers \(key): \(outcome)")
        switch outcome {
        case .committed(let index):
            if let earlier = acknowledged[key], earlier != index {
                throw violation("\(key) acknowledged at \(earlier) and again at \(index)")
            }
            guard index >= 1, index <= logKeys.count, logKeys[Int(index - 1)] == key else {
                throw violation("\(key) acknowledged at \(index), which the log does not hold for it")
            }
            acknowledged[key] = index
            clients[which].pending[key] = nil
            clients[which].preferred = member
        case .notLeader(let leader):
            clients[which].preferred = leader
            if var pending = clients[which].pending[key] {
                pending.retryAt = now + .milliseconds(leader == nil ? 50 : 1)
                clients[which].pending[key] = pending
            }
        case .overloaded:
            clients[which].preferred = member
            if var pending = clients[which].pending[key] {
                pending.retryAt = now + .milliseconds(20)
                clients[which].pending[key] = pending
            }
        case .outOfOrder(let expected):
            // Like the client library: everything unconfirmed from `expected` on goes again, in order.
            guard expected <= key.sequence else {
                throw violation("\(key) refused as out of order although the log expects \(expected), after it")
            }
            clients[which].preferred = member
            for (pendingKey, var pending) in clients[which].pending where pendingKey.sequence >= expected {
                pending.retryAt = now
                clients[which].pending[pendingKey] = pending
            }
        case .indexForgotten:
            throw violation("\(key): index forgotten, with a client that keeps only a few entries in flight")
        }
    }

    // MARK: - Actions and checks

    private mutating func update(
        _ member: NodeID, _ body: (inout Replica, ClockInstant) -> [ReplicaAction]
    ) -> [ReplicaAction] {
        guard var replica = replicas[member] else { return [] }
        let time = now
        let actions = body(&replica, time)
        replicas[member] = replica
        return actions
    }

    private mutating func perform(_ actions: [ReplicaAction], by member: NodeID) throws(Violation) {
        for action in actions {
            switch action {
            case .send(let message, let peer):
                network.send(Envelope(from: member.rawValue, to: peer.rawValue, payload: message))
            case .broadcast(let message, let peers):
                for peer in peers {
                    network.send(Envelope(from: member.rawValue, to: peer.rawValue, payload: message))
                }
            case .persist(let record, let token):
                disks[member]?.pending.append((token, record))
            case .apply(let chosen):
                try checkApply(chosen, by: member)
                logStores[member]?.append(chosen)
            case .serveCatchUp(let fromSlot, let commitIndex, let peer):
                guard let store = logStores[member], store.lastSlot >= commitIndex else {
                    throw violation("\(member) asked to serve catch-up through \(commitIndex) beyond its log store")
                }
                guard
                    let reply = store.catchUpReply(
                        fromSlot: fromSlot, commitIndex: commitIndex, configuration: configuration)
                else {
                    throw violation("\(member) trimmed slot \(fromSlot) and keeps no base to continue from")
                }
                if case .catchUpBase(let base, _) = reply {
                    record("\(member) serves \(peer) the base at \(base.slot)")
                }
                network.send(Envelope(from: member.rawValue, to: peer.rawValue, payload: reply))
            case .installBase(let base):
                guard firstIndexAfterSlot[base.slot] == base.firstIndex, base.firstIndex <= base.lastIndex + 1 else {
                    throw violation("\(member) was handed a base at slot \(base.slot) that does not match the log")
                }
                logStores[member]?.reset(to: base)
                basesInstalled += 1
                record("\(member) continues from the base at \(base.slot)")
            case .appendOutcome(let key, let outcome):
                try deliverOutcome(key, outcome, from: member)
            case .readReady(let id, let lastIndex):
                guard let floor = pendingReads.removeValue(forKey: id) else { break }
                guard lastIndex >= floor else {
                    throw violation(
                        "read \(id) served up to \(lastIndex) but \(floor) was acknowledged before it began")
                }
                guard lastIndex <= logKeys.count else {
                    throw violation("read \(id) served up to \(lastIndex), beyond the chosen log (\(logKeys.count))")
                }
                readsServed += 1
            case .readRejected(let id, _):
                pendingReads[id] = nil
            case .trimOutcome(_, .trimmed(let firstIndex)):
                guard firstIndex >= 1, firstIndex <= UInt64(logKeys.count) + 1 else {
                    throw violation("a trim answered first index \(firstIndex) with the log at \(logKeys.count)")
                }
                trimsApplied += 1
            case .trimOutcome(_, .notLeader):
                break
            case .transferOutcome(_, let outcome):
                if case .transferred = outcome { transfersDone += 1 }
                record("\(member) answers a transfer: \(outcome)")
            case .membershipChanged(let membership, let slot):
                record("\(member) membership after \(slot): \(membership)")
                if slot > knownMembership?.slot ?? 0 {
                    let voters = knownMembership?.membership.voters ?? configuration.members
                    if membership.voters.count > voters.count { promotions += 1 }
                    if membership.voters.count < voters.count { voterRemovals += 1 }
                    knownMembership = (slot, membership)
                    membershipChanged += 1
                }
            case .membershipOutcome(_, let outcome):
                record("\(member) answers a membership change: \(outcome)")
            case .votingRestored(let ballot):
                nonVoters.remove(member)
                record("\(member) votes again from \(ballot)")
            case .peerLostState(let peer, let acknowledged, let held):
                record("\(member): \(peer) acknowledged through \(acknowledged), holds through \(held)")
            case .lostStateReported:
                // Only a replica that lost state unnoticed may be told so: anything else is a
                // false alarm that would cost the cluster a voter.
                guard amnesia == .undetected else {
                    throw violation("\(member) was told it lost state, but it lost nothing it did not know")
                }
                nonVoters.insert(member)
                stateLossesReported += 1
                record("\(member) told it lost state: non-voter")
            case .messageDropped(_, .unexpected):
                break
            case .messageDropped(let peer, let reason):
                throw violation("\(member) dropped a message from \(peer) of a well-behaved cluster: \(reason)")
            case .roleChanged(let role, let leader, let ballot):
                record(
                    "\(member) is \(role), leader \(leader.map { "\($0)" } ?? "-") ballot \(ballot.map { "\($0)" } ?? "-")"
                )
            }
        }
        if let problem = firstIndexProblem(of: member) { throw problem }
    }

    /// Why `member`'s first index is not the one agreed after its commit index, if it is not.
    private func firstIndexProblem(of member: NodeID) -> Violation? {
        guard let replica = replicas[member], !down.contains(member) else { return nil }
        let expected = replica.commitIndex == 0 ? 1 : firstIndexAfterSlot[replica.commitIndex] ?? 0
        guard replica.firstIndex != expected else { return nil }
        return violation(
            "\(member) at slot \(replica.commitIndex) has first index \(replica.firstIndex), expected \(expected)")
    }

    private mutating func checkApply(_ applied: ChosenSlot, by member: NodeID) throws(Violation) {
        let (slot, value) = (applied.slot, applied.value)
        guard slot == (logStores[member]?.lastSlot ?? 0) + 1 else {
            throw violation("\(member) applied slot \(slot) after \(logStores[member]?.lastSlot ?? 0)")
        }
        if let chosen = chosenBySlot[slot] {
            guard chosen == value else {
                throw violation("slot \(slot): \(member) chose \(value), another chose \(chosen)")
            }
        } else {
            chosenBySlot[slot] = value
        }
        var firstIndex = slot > 1 ? firstIndexAfterSlot[slot - 1] ?? 1 : 1
        if case .trim(let before) = value {
            firstIndex = max(firstIndex, min(before, applied.firstIndex))
        }
        if let agreed = firstIndexAfterSlot[slot], agreed != firstIndex {
            throw violation("slot \(slot): \(member)'s first index would be \(firstIndex), another's is \(agreed)")
        }
        firstIndexAfterSlot[slot] = firstIndex
        for (offset, entry) in applied.appliedEntries.enumerated() {
            let entry = AppliedEntry(index: applied.firstIndex + UInt64(offset), entry: entry)
            guard issued[entry.entry.key] == entry.entry.data else {
                throw violation("\(member) applied \(entry.entry.key), which no client appended with that data")
            }
            let index = Int(entry.index)
            if index <= logKeys.count {
                guard logKeys[index - 1] == entry.entry.key else {
                    throw violation(
                        "index \(index): \(member) has \(entry.entry.key), another has \(logKeys[index - 1])")
                }
            } else if index == logKeys.count + 1 {
                guard !logKeys.contains(entry.entry.key) else {
                    throw violation("\(entry.entry.key) appears twice in the log (index \(index))")
                }
                let previous = lastSequenceInLog[entry.entry.key.session] ?? 0
                guard entry.entry.key.sequence == previous + 1 else {
                    throw violation(
                        "index \(index): \(entry.entry.key) entered the log after sequence \(previous) of its "
                            + "session: the client's input order is broken")
                }
                lastSequenceInLog[entry.entry.key.session] = entry.entry.key.sequence
                logKeys.append(entry.entry.key)
            } else {
                throw violation("\(member) applied index \(index) with the log at \(logKeys.count)")
            }
        }
    }

    private mutating func record(_ event: @autoclosure () -> String) {
        if isTracing { trace.append("\(now) \(event())") }
    }

    private func violation(_ message: String) -> Violation {
        Violation(seed: seed, time: now, message: message)
    }
}
