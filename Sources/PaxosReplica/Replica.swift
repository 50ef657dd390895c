import DequeModule
import PaxosCore
import PaxosProtocol

/// One member of a Multi-Paxos replicated log, as a state machine with no I/O.
///
/// The caller feeds it client appends, messages from peers, clock ticks and journal completions,
/// and performs the actions it returns: send, persist, apply, answer a client. It never touches a
/// socket, a file or a clock, so a seeded simulation can drive a whole cluster and replay it.
///
/// The protocol:
/// - One stable leader. A follower that stops hearing the leader runs a pre-vote (no state change)
///   and, with a majority's support, phase 1 once for every slot from its first unchosen one. The
///   promises report accepted values; the new leader re-proposes them, fills holes with no-ops, and
///   from then on runs phase 2 only: one round trip per batch of slots.
/// - Client appends that arrive together share a slot; up to `maxSlotsInFlight` slots are in flight.
/// - The leader learns a slot is chosen from a majority of `accepted` replies, each sent only after
///   that acceptor's journal write was durable; it tells the others with the next accept or
///   heartbeat. Slots apply strictly in order.
/// - A lagging replica pulls chosen values in bounded chunks (catch-up).
/// - Each client entry carries a session and sequence number; the table of applied keys is derived
///   from the log, so a retry returns the original index, after a leader change or a restart too.
public struct Replica: Sendable {
    /// A slot the leader proposed and has not yet seen chosen. (Who acknowledged it is counted in
    /// `tally`.)
    struct InFlightSlot: Sendable {
        var value: SlotValue
        /// When the accept for this slot was last sent; it is re-sent when it gets old.
        var sentAt: ClockInstant
    }

    public let id: NodeID
    public let configuration: ReplicaConfiguration
    /// Every other member, voter or learner: whom accepts, heartbeats and commits go to.
    var peers: [NodeID]
    /// The members agreed through `commitIndex` (`configuration.members` until the log changes
    /// them, see `Replica+Membership.swift`).
    public internal(set) var membership: Membership
    /// Whether `membership` came from the log rather than the configuration.
    var membershipChanged = false
    /// The membership change the leader is carrying out, if any.
    var membershipChange: PendingMembershipChange?
    /// Members the latest changes removed: the slot they must apply to learn it, and how many
    /// more heartbeats the leader sends them (see `Replica+Membership.swift`).
    var departed: [NodeID: (slot: Slot, heartbeatsLeft: Int)] = [:]

    // MARK: Acceptor state (durable through PersistRecord)

    /// The acceptor's promise and votes: Paxos's promise and accept rules live there
    /// (`PaxosCore.MultiSlotAcceptor`), written once for every slot.
    var acceptor = MultiSlotAcceptor<SlotValue>()
    /// The highest ballot this acceptor promised.
    public var promised: Ballot? { acceptor.promised }
    /// Values accepted in slots that are not yet known chosen.
    var accepted: [Slot: AcceptedValue] { acceptor.votes }

    // MARK: Learner state

    /// Every slot through this one is chosen and applied.
    public internal(set) var commitIndex: Slot = 0
    /// The chosen values of the latest slots; older ones are in the node's log store, on disk.
    var recentChosen: RecentChosenValues
    /// The index of the last entry in the committed log users read (entries are numbered from 1).
    public internal(set) var lastIndex: UInt64 = 0
    /// The first index the log still serves: entries below it were trimmed (`Replica+Trim.swift`).
    /// `lastIndex + 1` when every entry is trimmed.
    public internal(set) var firstIndex: UInt64 = 1
    /// The last base this replica continued its log from since it started (a catch-up past a
    /// trim, or its journal's record of one): the node's log store must start there too.
    public internal(set) var installedBase: LogBase?
    var dedup: DedupTable
    /// The ballot under which the latest slots were learned chosen, for the next commit mark.
    var lastAppliedBallot: Ballot?
    /// The commit index recorded by the last commit mark written, and when it was written.
    var persistedCommitMark: Slot = 0
    var lastCommitMarkAt: ClockInstant = .zero
    /// The highest commit index a leader has told us about.
    public internal(set) var knownCommitIndex: Slot = 0
    var catchUpRequestedAt: ClockInstant?

    // MARK: Role

    public internal(set) var role: ReplicaRole = .follower
    /// The replica believed to lead, if any.
    public internal(set) var leader: NodeID?
    /// The ballot of that leader.
    public internal(set) var leaderBallot: Ballot?
    /// Whether the leader this replica follows is heard: a heartbeat, an accept, or the prepare of
    /// a candidate it promised, within the election timeout (`PaxosCore.LeaderLiveness`).
    var leaderLiveness: LeaderLiveness
    /// When this replica last heard from the leader it follows (a heartbeat or an accept).
    public var lastLeaderContact: ClockInstant? { leaderLiveness.lastContact }
    /// When this replica stands for election unless it hears a leader first: a random time in
    /// [T, 2T) after the last contact or election (`PaxosCore.ElectionTimer`, seeded from the
    /// configuration, so a simulation replays it).
    var electionTimer: ElectionTimer
    var highestBallotNumberSeen: UInt64 = 0

    // MARK: Candidate state

    var isPreVoting = false
    var preVoteGrants: Set<NodeID> = []
    var candidateBallot: Ballot?
    var promisesReceived: [NodeID: [SlotReport]] = [:]

    // MARK: Leader state

    var nextSlot: Slot = 1
    var inFlight: [Slot: InFlightSlot] = [:]
    /// The acknowledgements of the slots in flight, under this leader's ballot: a slot is chosen
    /// by a quorum of them, and chosen slots apply in order (`PaxosCore.MultiSlotLearner`).
    var tally = MultiSlotLearner<SlotValue>()
    var inFlightBytes = 0
    /// Client entries waiting for room in the pipeline, oldest first.
    var queue: Deque<ClientEntry> = []
    /// The bytes of `queue`, bounded by `maxQueuedBytes`.
    var queuedBytes = 0
    /// Keys in the queue or in flight: a retry of one of these is not proposed again.
    var pendingKeys: Set<ClientKey> = []
    /// Clients waiting at this replica for their entry to apply.
    var waitingClients: Set<ClientKey> = []
    var nextHeartbeat: ClockInstant = .zero
    var leaderSince: ClockInstant = .zero
    var lastReplyFrom: [NodeID: ClockInstant] = [:]
    /// Numbers the leader's heartbeats; a read waits for replies to a round sent after it arrived.
    var heartbeatRound: UInt64 = 0
    /// The highest heartbeat round each peer has answered.
    var answeredRound: [NodeID: UInt64] = [:]
    /// The highest slot the leader re-proposed when it took over: reads wait until it is applied,
    /// so nothing an earlier leader acknowledged can be missing.
    var takeoverSlot: Slot = 0
    var pendingReads: [(id: UInt64, round: UInt64)] = []
    /// Trim requests waiting for the slot their trim was proposed in to apply, in slot order.
    var pendingTrims: [(id: UInt64, slot: Slot)] = []
    /// A trim waiting for room in the pipeline: the furthest asked for, and who asked.
    var queuedTrim: (before: UInt64, ids: [UInt64])?
    /// The handover under way, if any (see `Replica+Transfer.swift`).
    var transfer: LeadershipTransfer?
    /// How far each follower applied, from its heartbeat replies (leader only).
    var appliedBy: [NodeID: Slot] = [:]
    /// The highest slot each follower acknowledged accepting to this node (as leader, under any of
    /// its ballots) since it last reconnected: a later run of it must start holding at least that
    /// much (see `Replica+OlderCopy.swift`).
    var acknowledgedBy: [NodeID: Slot] = [:]
    /// The run each follower last said it is, from its heartbeat replies (to this node as leader).
    var bootOf: [NodeID: UInt64] = [:]
    /// Runs each follower was before its current one: a late reply from one of them (still in
    /// flight when the follower restarted) is not its new run's first.
    var retiredBoots: [NodeID: [UInt64]] = [:]
    /// Followers that reconnected: the run they were, and what they had acknowledged, to compare
    /// with what their next heartbeat reply says they started with.
    var reconnected: [NodeID: (boot: UInt64, acknowledged: Slot)] = [:]
    /// Runs of followers found to have started with less than they acknowledged: told again while
    /// they still ask for their check.
    var lostRuns: [NodeID: (boot: UInt64, acknowledged: Slot)] = [:]
    /// This run of the replica: random at every start, so peers can tell a restart.
    let boot: UInt64
    /// When this run started: it votes for nobody within its first election timeout unless a
    /// leader has checked its start (see `Replica+OlderCopy.swift`).
    let startedAt: ClockInstant
    /// A leader compared this run's start with what it was acknowledged and found nothing missing
    /// (or this replica rebuilt its state through a recovery ballot).
    public internal(set) var startChecked = false
    /// The highest slot this replica held when this run started, fixed at its first event (after
    /// recovery, before anything learned from peers).
    var heldAtStart: Slot?
    /// This replica knew slots through this one chosen, but its node lost some of them from its log
    /// store (damage cut there): it votes for nobody until it has learned them again
    /// (`Replica+StoreRepair.swift`). 0 when nothing was lost.
    public internal(set) var votesHeldUntil: Slot = 0

    // MARK: Recovery after lost state (Replica+Amnesia.swift)

    /// When this replica began rebuilding state it lost; nil while it votes normally.
    public internal(set) var recoveringSince: ClockInstant?
    /// The earliest moment of the next recovery ballot.
    var recoveryAttemptAt: ClockInstant = .zero
    /// The peer the outstanding catch-up request went to: only its reply is applied.
    var catchUpAskedOf: NodeID?
    /// Messages dropped because they failed validation, since the replica started.
    public internal(set) var droppedMessages: UInt64 = 0

    // MARK: Persistence and output

    var nextToken: UInt64 = 1
    var durableToken: UInt64 = 0
    /// Replies that reflect state not yet durable, released by `persisted(through:)`.
    var heldReplies: [(token: UInt64, message: ReplicaMessage, peer: NodeID)] = []
    /// Messages to this replica itself, handled after the current event.
    var selfInbox: [ReplicaMessage] = []
    var output: [ReplicaAction] = []

    /// True when this replica promises, accepts and grants pre-votes; false while it rebuilds
    /// state it lost (see `Replica+Amnesia.swift`).
    public var isVoter: Bool { recoveringSince == nil }

    /// A replica with an empty log, starting at `now`.
    public init(id: NodeID, configuration: ReplicaConfiguration, now: ClockInstant) {
        self.id = id
        self.configuration = configuration
        peers = configuration.members.filter { $0 != id }
        membership = Membership(voters: configuration.members)
        dedup = DedupTable(bounds: configuration)
        recentChosen = RecentChosenValues(
            maxSlots: configuration.recentChosenSlots, maxBytes: configuration.recentChosenBytes)
        leaderLiveness = LeaderLiveness(window: configuration.electionTimeout, includesWindowEnd: false)
        // Different for every start of the same node: the clock is part of it.
        let (seconds, attoseconds) = now.sinceOrigin.components
        var bootRandom = SplitMix64(
            seed: configuration.randomSeed ^ UInt64(id.rawValue) ^ UInt64(bitPattern: seconds) &* 1_000_003
                ^ UInt64(bitPattern: attoseconds / 1_000_000))
        boot = bootRandom.next()
        startedAt = now
        electionTimer = ElectionTimer(
            timeout: configuration.electionTimeout,
            random: SplitMix64(seed: configuration.randomSeed ^ (UInt64(id.rawValue) &* 0x9E37_79B9_7F4A_7C15)),
            now: now)
    }

    var quorumSize: Int { membership.quorumSize }

    /// The ballot this replica leads under, when leader.
    public var ballot: Ballot? { role == .leader ? candidateBallot : nil }

    /// The highest slot this replica holds a value for (chosen or only accepted).
    public var lastSlot: Slot { max(commitIndex, accepted.keys.max() ?? 0, nextSlot > 0 ? nextSlot - 1 : 0) }

    /// Entries this replica accepted in slots not yet known chosen: where its log would end if they
    /// all committed is `lastIndex` plus this. An upper bound, since a retried entry already in
    /// the log is dropped when its slot is applied.
    public var acceptedEntriesBeyondCommit: UInt64 {
        accepted.reduce(0) { total, slot in
            guard slot.key > commitIndex, case .entries(let entries) = slot.value.value else { return total }
            return total + UInt64(entries.count)
        }
    }

    /// The chosen value of `slot`, if this replica still holds it in memory (the latest slots
    /// only; the node's log store has them all).
    public func recentChosenValue(at slot: Slot) -> SlotValue? {
        slot <= commitIndex ? recentChosen.value(at: slot) : nil
    }

    // MARK: - Events

    /// Clients ask to append `newEntries`. Entries that arrive in one call share a slot when they fit.
    public mutating func append(_ newEntries: [ClientEntry], now: ClockInstant) -> [ReplicaAction] {
        run(now) { replica in replica.handleAppend(newEntries, now: now) }
    }

    /// A client asks for a linearizable read. The leader confirms with a heartbeat round that a
    /// majority still follows it (no newer leader can have acknowledged anything it lacks), then
    /// answers `.readReady` with the index the read may return up to.
    public mutating func requestRead(id: UInt64, now: ClockInstant) -> [ReplicaAction] {
        run(now) { replica in replica.handleReadRequest(id: id, now: now) }
    }

    /// A message from `peer` arrived. It is checked against the protocol state first; one that
    /// fails is dropped, counted and reported as `.messageDropped`, and changes nothing.
    public mutating func receive(_ message: ReplicaMessage, from peer: NodeID, now: ClockInstant) -> [ReplicaAction] {
        run(now) { replica in
            if let reason = replica.rejection(of: message, from: peer) {
                replica.droppedMessages += 1
                replica.output.append(.messageDropped(from: peer, reason: reason))
                return
            }
            replica.handle(message, from: peer, now: now)
        }
    }

    /// Time passed: heartbeats, re-sends, elections, catch-up retries.
    public mutating func tick(now: ClockInstant) -> [ReplicaAction] {
        run(now) { replica in replica.handleTick(now: now) }
    }

    /// Every record up to and including `token` is durable: releases the replies waiting for it.
    public mutating func persisted(through token: UInt64, now: ClockInstant) -> [ReplicaAction] {
        run(now) { replica in
            replica.durableToken = max(replica.durableToken, token)
            let ready = replica.heldReplies.prefix { $0.token <= replica.durableToken }
            replica.heldReplies.removeFirst(ready.count)
            for reply in ready {
                replica.send(reply.message, to: reply.peer)
            }
        }
    }

    /// Runs one event, then the messages this replica sent itself, and returns the actions.
    mutating func run(_ now: ClockInstant, _ body: (inout Replica) -> Void) -> [ReplicaAction] {
        output = []
        if heldAtStart == nil { heldAtStart = max(heldThrough, votesHeldUntil) }
        body(&self)
        while !selfInbox.isEmpty {
            let message = selfInbox.removeFirst()
            handle(message, from: id, now: now)
        }
        let actions = output
        output = []
        return actions
    }

    mutating func handle(_ message: ReplicaMessage, from peer: NodeID, now: ClockInstant) {
        switch message {
        case .preVote(let candidateCommit):
            handlePreVote(candidateCommit: candidateCommit, from: peer, now: now)
        case .preVoteReply(let granted, let theirPromise, let theirCommit):
            catchUpIfBehind(theirCommit, peer: peer, now: now)
            handlePreVoteReply(granted: granted, promised: theirPromise, from: peer, now: now)
        case .prepare(let ballot, let fromSlot):
            handlePrepare(ballot: ballot, fromSlot: fromSlot, from: peer, now: now)
        case .promise(let ballot, let reports):
            handlePromise(ballot: ballot, reports: reports, from: peer, now: now)
        case .nack(let ballot, let higher):
            handleNack(ballot: ballot, promised: higher, now: now)
        case .accept(let ballot, let firstSlot, let values, let leaderCommit):
            handleAccept(
                ballot: ballot, firstSlot: firstSlot, values: values, leaderCommit: leaderCommit, from: peer, now: now)
        case .accepted(let ballot, let firstSlot, let count):
            handleAccepted(ballot: ballot, firstSlot: firstSlot, count: count, from: peer, now: now)
        case .heartbeat(let ballot, let leaderCommit, let round):
            handleHeartbeat(ballot: ballot, leaderCommit: leaderCommit, round: round, from: peer, now: now)
        case .heartbeatReply(let ballot, let theirCommit, let round, let boot, let heldAtStart, let awaitingCheck):
            handleHeartbeatReply(ballot: ballot, commitIndex: theirCommit, round: round, from: peer, now: now)
            checkStart(of: peer, boot: boot, heldAtStart: heldAtStart, awaitingCheck: awaitingCheck)
        case .stateLost(let ballot, let acknowledgedThrough):
            handleStateLost(ballot: ballot, acknowledgedThrough: acknowledgedThrough, from: peer, now: now)
        case .startChecked(let ballot):
            handleStartChecked(ballot: ballot, from: peer)
        case .catchUpRequest(let fromSlot):
            handleCatchUpRequest(fromSlot: fromSlot, from: peer)
        case .catchUpReply(let firstSlot, let values, let theirCommit):
            handleCatchUpReply(firstSlot: firstSlot, values: values, theirCommit: theirCommit, from: peer, now: now)
        case .catchUpBase(let base, let theirCommit):
            handleCatchUpBase(base, theirCommit: theirCommit, from: peer, now: now)
        case .timeoutNow(let ballot):
            handleTimeoutNow(ballot: ballot, from: peer, now: now)
        }
    }

    // MARK: - Output helpers

    mutating func send(_ message: ReplicaMessage, to peer: NodeID) {
        if peer == id {
            selfInbox.append(message)
        } else {
            output.append(.send(message, to: peer))
        }
    }

    mutating func broadcast(_ message: ReplicaMessage, includingSelf: Bool) {
        if !peers.isEmpty {
            output.append(.broadcast(message, to: peers))
        }
        if includingSelf {
            selfInbox.append(message)
        }
    }

    /// Sends a reply that vouches for acceptor state: only once every record issued so far is durable.
    mutating func sendWhenDurable(_ message: ReplicaMessage, to peer: NodeID) {
        let token = nextToken - 1
        if token <= durableToken {
            send(message, to: peer)
        } else {
            heldReplies.append((token, message, peer))
        }
    }

    mutating func persist(_ record: PersistRecord) {
        output.append(.persist(record, token: nextToken))
        nextToken += 1
    }

    mutating func observe(_ ballot: Ballot?) {
        if let ballot {
            highestBallotNumberSeen = max(highestBallotNumberSeen, ballot.number)
        }
    }
}
