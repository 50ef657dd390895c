import PaxosCore
import PaxosTestSupport

/// A seeded simulation of single-decree Paxos with practical nodes on an unreliable network.
///
/// Acceptors (n1…nN, also learners) and competing proposers (n101…, also learners) exchange
/// messages through a `SimulatedNetwork` that delivers them in random order, drops and duplicates
/// them. Acceptor writes complete at random moments; acceptors crash and come back from the last
/// state that reached disk (a write may have landed just before the crash or not). Proposers start
/// rounds at random. Everything random comes from one `SeededGenerator`, so a seed replays exactly.
struct SingleDecreeSimulation {
    /// A safety property that failed, with enough context to debug the seed.
    struct Violation: Error, CustomStringConvertible {
        var seed: UInt64
        var step: Int
        var message: String
        var description: String {
            "seed \(seed) step \(step): \(message) (replay: PAXOSLOG_SEED=\(seed) swift test --filter PaxosSafety)"
        }
    }

    let seed: UInt64
    let acceptorIDs: [NodeID]
    let proposerIDs: [NodeID]
    var generator: SeededGenerator
    var nodes: [NodeID: Node<String>] = [:]
    var network = SimulatedNetwork<Message<String>>()
    /// What each acceptor has on disk.
    var durable: [NodeID: AcceptorState<String>] = [:]
    /// Writes handed to the disk and not yet completed.
    var pendingWrites: [NodeID: AcceptorState<String>] = [:]
    /// Values any proposer proposed.
    var proposedValues: Set<String> = []
    /// What each learner resolved.
    var resolutions: [NodeID: Resolution<String>] = [:]
    /// For each proposal id, the acceptors that durably accepted it: the ground truth of "chosen".
    var durableAccepts: [ProposalID: (value: String, acceptors: Set<NodeID>)] = [:]
    var chosenValue: String?
    /// Every event in order, when `isTracing` (building the strings is most of a run's cost, so a
    /// failing seed is simply run again with tracing on: it replays exactly).
    var trace: [String] = []
    var isTracing = false
    var step = 0
    /// Test-only fault: acceptors restart with no memory, as if they never persisted. Unsafe on
    /// purpose, to show the checker can catch a broken acceptor.
    var forgetfulAcceptors = false

    var quorumSize: Int { acceptorIDs.count / 2 + 1 }

    init(seed: UInt64) {
        self.seed = seed
        generator = SeededGenerator(seed: seed)
        let acceptorCount = Bool.random(using: &generator) ? 3 : 5
        let proposerCount = Int.random(in: 2...3, using: &generator)
        acceptorIDs = (1...acceptorCount).map { NodeID(UInt32($0)) }
        proposerIDs = (1...proposerCount).map { NodeID(UInt32(100 + $0)) }
        for uid in acceptorIDs + proposerIDs {
            nodes[uid] = Node(uid: uid, quorumSize: acceptorCount / 2 + 1)
            durable[uid] = AcceptorState()
        }
    }

    /// Runs `steps` random events, checking safety after each one.
    mutating func run(steps: Int) throws(Violation) {
        for uid in proposerIDs {
            let value = "value-from-\(uid)"
            proposedValues.insert(value)
            try perform(update(uid) { $0.setProposal(value) }, by: uid)
        }
        for current in 0..<steps {
            step = current
            try randomEvent()
        }
    }

    private mutating func randomEvent() throws(Violation) {
        let roll = Int.random(in: 0..<100, using: &generator)
        switch roll {
        case 0..<45:
            guard let envelope = network.takeRandom(using: &generator) else { return }
            let from = NodeID(envelope.from)
            let to = NodeID(envelope.to)
            record("deliver \(from)->\(to) \(envelope.payload)")
            try perform(update(to) { $0.receive(envelope.payload, from: from) }, by: to)
        case 45..<52:
            record("drop")
            network.dropRandom(using: &generator)
        case 52..<58:
            record("duplicate")
            network.duplicateRandom(using: &generator)
        case 58..<64:
            let uid = proposerIDs.randomElement(using: &generator) ?? proposerIDs[0]
            record("prepare \(uid)")
            try perform(update(uid) { $0.prepare() }, by: uid)
        case 64..<68:
            let uid = proposerIDs.randomElement(using: &generator) ?? proposerIDs[0]
            record("resend \(uid)")
            let resendPrepare = Bool.random(using: &generator)
            try perform(
                update(uid) { resendPrepare ? $0.prepare(incrementProposalNumber: false) : $0.resendAccept() }, by: uid)
        case 68..<94:
            guard let uid = pendingWrites.keys.sorted().randomElement(using: &generator) else { return }
            record("write done \(uid)")
            try completeWrite(of: uid)
            try perform(update(uid) { $0.persisted() }, by: uid)
        default:
            let uid = acceptorIDs.randomElement(using: &generator) ?? acceptorIDs[0]
            // A write in progress at the crash may or may not have reached the disk.
            if pendingWrites[uid] != nil && Bool.random(using: &generator) {
                try completeWrite(of: uid)
            }
            pendingWrites[uid] = nil
            let onDisk = durable[uid] ?? AcceptorState()
            record("crash \(uid) -> \(onDisk)")
            if forgetfulAcceptors { durable[uid] = AcceptorState() }
            nodes[uid] = Node.recover(uid: uid, quorumSize: quorumSize, state: durable[uid] ?? AcceptorState())
            resolutions[uid] = nil  // a learner's memory is not durable
        }
    }

    private mutating func update(_ uid: NodeID, _ body: (inout Node<String>) -> [NodeAction<String>]) -> [NodeAction<
        String
    >] {
        guard var node = nodes[uid] else { return [] }
        let actions = body(&node)
        nodes[uid] = node
        return actions
    }

    private mutating func completeWrite(of uid: NodeID) throws(Violation) {
        guard let state = pendingWrites.removeValue(forKey: uid) else { return }
        durable[uid] = state
        guard let id = state.acceptedID, let value = state.acceptedValue else { return }
        var entry = durableAccepts[id] ?? (value: value, acceptors: [])
        guard entry.value == value else { throw violation("two values accepted under \(id): \(entry.value), \(value)") }
        entry.acceptors.insert(uid)
        durableAccepts[id] = entry
        if entry.acceptors.count >= quorumSize {
            if let chosenValue, chosenValue != value {
                throw violation("\(value) chosen under \(id) after \(chosenValue) was chosen")
            }
            chosenValue = value
        }
    }

    private mutating func perform(_ actions: [NodeAction<String>], by uid: NodeID) throws(Violation) {
        for action in actions {
            switch action {
            case .send(let message, let recipient):
                try checkBackedByDisk(message, sentBy: uid)
                for target in recipients(recipient) {
                    network.send(Envelope(from: uid.rawValue, to: target.rawValue, payload: message))
                }
            case .persist(let state):
                pendingWrites[uid] = state
            case .resolved(let resolution):
                try checkResolution(resolution, learnedBy: uid)
            case .leadershipAcquired, .leadershipLost, .leadershipChanged:
                break
            }
        }
    }

    /// Persist-before-send, checked from outside: an acceptor's promise or accepted reply may only
    /// leave when the disk already holds a state at least as strong.
    private func checkBackedByDisk(_ message: Message<String>, sentBy uid: NodeID) throws(Violation) {
        guard acceptorIDs.contains(uid), let onDisk = durable[uid] else { return }
        switch message {
        case .promise(let promise) where !(onDisk.promisedID >= promise.proposalID):
            throw violation("\(uid) promised \(promise.proposalID) with only \(onDisk) on disk")
        case .accepted(let accepted) where !(onDisk.acceptedID >= accepted.proposalID):
            throw violation("\(uid) reported accepting \(accepted.proposalID) with only \(onDisk) on disk")
        default:
            return
        }
    }

    private func recipients(_ recipient: Recipient) -> [NodeID] {
        switch recipient {
        case .acceptors: return acceptorIDs
        case .learners, .nodes: return acceptorIDs + proposerIDs
        case .node(let uid): return [uid]
        }
    }

    private mutating func checkResolution(_ resolution: Resolution<String>, learnedBy uid: NodeID) throws(Violation) {
        guard proposedValues.contains(resolution.value) else {
            throw violation("\(uid) resolved \(resolution.value), which nobody proposed")
        }
        for (other, earlier) in resolutions where earlier.value != resolution.value {
            throw violation("\(uid) resolved \(resolution.value) but \(other) resolved \(earlier.value)")
        }
        if let chosenValue, chosenValue != resolution.value {
            throw violation("\(uid) resolved \(resolution.value) but \(chosenValue) is chosen")
        }
        resolutions[uid] = resolution
        record("resolved \(uid) \(resolution.value)")
    }

    private mutating func record(_ event: @autoclosure () -> String) {
        if isTracing { trace.append(event()) }
    }

    private func violation(_ message: String) -> Violation {
        Violation(seed: seed, step: step, message: message)
    }
}
