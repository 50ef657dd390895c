import PaxosCore
import PaxosProtocol
import PaxosReplica

/// A read that was redirected, and where to.
struct ReadRejection: Error, Equatable {
    var leader: NodeID?
}

extension Result where Failure == ReadRejection {
    static func failure(_ leader: NodeID?) -> Self { .failure(ReadRejection(leader: leader)) }
}

/// A small, well-behaved cluster for scenario tests: messages arrive in order, journal writes
/// complete when `sync` is called (or at once with `autoSync`), and the clock moves only by hand.
struct ReplicaTestCluster {
    var replicas: [NodeID: Replica] = [:]
    var now = ClockInstant.zero
    var inFlight: [(from: NodeID, to: NodeID, message: ReplicaMessage)] = []
    var pendingWrites: [NodeID: [(token: UInt64, record: PersistRecord)]] = [:]
    var journals: [NodeID: [PersistRecord]] = [:]
    var logStores: [NodeID: SimulatedLogStore] = [:]
    var outcomes: [ClientKey: AppendOutcome] = [:]
    var reads: [UInt64: Result<UInt64, ReadRejection>] = [:]
    var trims: [UInt64: TrimOutcome] = [:]
    var transfers: [UInt64: TransferOutcome] = [:]
    var memberships: [UInt64: MembershipOutcome] = [:]
    var isolated: Set<NodeID> = []
    var autoSync = true
    let configuration: ReplicaConfiguration

    /// `size` members, and `spares` more nodes that run but are in no membership until added.
    init(size: Int = 3, spares: Int = 0, configure: (inout ReplicaConfiguration) -> Void = { _ in }) {
        var configuration = ReplicaConfiguration(members: (1...size).map { NodeID(UInt32($0)) }, randomSeed: 1)
        configure(&configuration)
        self.configuration = configuration
        for node in (1...(size + spares)).map({ NodeID(UInt32($0)) }) {
            replicas[node] = Replica(id: node, configuration: configuration, now: now)
        }
    }

    var leader: NodeID? { replicas.values.first { $0.role == .leader }?.id }

    mutating func perform(_ actions: [ReplicaAction], by member: NodeID) {
        for action in actions {
            switch action {
            case .send(let message, let peer):
                inFlight.append((member, peer, message))
            case .broadcast(let message, let peers):
                for peer in peers { inFlight.append((member, peer, message)) }
            case .persist(let record, let token):
                pendingWrites[member, default: []].append((token, record))
            case .appendOutcome(let key, let outcome):
                outcomes[key] = outcome
            case .readReady(let id, let lastIndex):
                reads[id] = .success(lastIndex)
            case .readRejected(let id, let leader):
                reads[id] = .failure(leader)
            case .trimOutcome(let id, let outcome):
                trims[id] = outcome
            case .transferOutcome(let id, let outcome):
                transfers[id] = outcome
            case .membershipOutcome(let id, let outcome):
                memberships[id] = outcome
            case .apply(let chosen):
                logStores[member, default: SimulatedLogStore()].append(chosen)
            case .serveCatchUp(let fromSlot, let commitIndex, let peer):
                if let reply = logStores[member, default: SimulatedLogStore()].catchUpReply(
                    fromSlot: fromSlot, commitIndex: commitIndex, configuration: configuration)
                {
                    inFlight.append((member, peer, reply))
                }
            case .installBase(let base):
                logStores[member, default: SimulatedLogStore()].reset(to: base)
            case .roleChanged, .votingRestored, .messageDropped, .peerLostState, .lostStateReported, .membershipChanged:
                break
            }
        }
        if autoSync { sync(member) }
    }

    /// Completes every pending journal write of `member`.
    mutating func sync(_ member: NodeID) {
        guard let writes = pendingWrites[member], let last = writes.last else { return }
        pendingWrites[member] = []
        journals[member, default: []] += writes.map(\.record)
        let actions = replicas[member]?.persisted(through: last.token, now: now) ?? []
        perform(actions, by: member)
    }

    /// Delivers messages until none are left (messages to or from isolated replicas are lost).
    mutating func deliverAll(limit: Int = 10_000) {
        var delivered = 0
        while !inFlight.isEmpty && delivered < limit {
            let (from, to, message) = inFlight.removeFirst()
            delivered += 1
            if isolated.contains(from) || isolated.contains(to) { continue }
            let actions = replicas[to]?.receive(message, from: from, now: now) ?? []
            perform(actions, by: to)
        }
    }

    /// Moves the clock in steps of `step`, ticking every replica and delivering everything.
    mutating func advance(by total: Duration, step: Duration = .milliseconds(10)) {
        let end = now + total
        while now < end {
            now = now + step
            for member in replicas.keys.sorted() {
                let actions = replicas[member]?.tick(now: now) ?? []
                perform(actions, by: member)
            }
            deliverAll()
        }
    }

    mutating func append(_ data: String, key: ClientKey, at member: NodeID) {
        appendBatch([ClientEntry(key: key, data: Array(data.utf8))], at: member)
    }

    mutating func appendBatch(_ entries: [ClientEntry], at member: NodeID) {
        let actions = replicas[member]?.append(entries, now: now) ?? []
        perform(actions, by: member)
        deliverAll()
    }

    mutating func read(id: UInt64, at member: NodeID) {
        let actions = replicas[member]?.requestRead(id: id, now: now) ?? []
        perform(actions, by: member)
        deliverAll()
    }

    mutating func trim(before index: UInt64, id: UInt64, at member: NodeID) {
        let actions = replicas[member]?.requestTrim(before: index, id: id, now: now) ?? []
        perform(actions, by: member)
        deliverAll()
    }

    mutating func transfer(to target: NodeID, id: UInt64, at member: NodeID) {
        let actions = replicas[member]?.requestTransfer(to: target, id: id, now: now) ?? []
        perform(actions, by: member)
        deliverAll()
    }

    mutating func changeMembership(_ change: MembershipChange, id: UInt64, at member: NodeID) {
        let actions = replicas[member]?.requestMembershipChange(change, id: id, now: now) ?? []
        perform(actions, by: member)
        deliverAll()
    }

    /// What the node does after a checkpoint: keep a base, delete the trimmed "segments".
    mutating func checkpoint(_ member: NodeID) {
        guard let snapshot = replicas[member]?.snapshot() else { return }
        logStores[member, default: SimulatedLogStore()].recordBase(snapshot.logBase)
        logStores[member, default: SimulatedLogStore()].trim(
            before: snapshot.firstIndex, keepingFrom: snapshot.commitIndex)
    }

    func log(of member: NodeID) -> [String] {
        (logStores[member]?.entries ?? []).map { String(decoding: $0.data, as: UTF8.self) }
    }
}
