/// A practical node that finds and replaces its leader with heartbeats on an injected clock.
///
/// - While leader it sends a heartbeat every `period` (from `tick`).
/// - It considers the leader alive while that leader's heartbeat arrived within `livenessWindow`.
/// - When the leader is dead it tries to acquire leadership (a prepare), unless it saw another
///   node's prepare within 1.5 × `livenessWindow`, so candidates do not duel. Its own start counts
///   as such a prepare, so a new node first prepares 1.5 × `livenessWindow` after it starts.
/// - While acquiring, a prepare NACK makes it prepare again with a higher number.
/// - A heartbeat with a newer proposal id than the known leader's makes it follow that leader: it
///   gives up acquiring, and a leader steps down. A quorum of accept NACKs also makes it step down.
/// - It reports leadership gained, lost and changed (previous, new) as actions.
///
/// Every call takes `now`; the node keeps no clock of its own.
public struct HeartbeatNode<Value: Hashable & Sendable>: Sendable {
    /// The proposer, acceptor and learner this node drives.
    public internal(set) var node: Node<Value>
    public let configuration: HeartbeatConfiguration

    /// The node believed to be leader, if any.
    public internal(set) var leaderUID: NodeID?
    /// The proposal id under which that leader leads.
    public internal(set) var leaderProposalID: ProposalID?
    /// True while this node is trying to become leader.
    public internal(set) var isAcquiring = false

    /// When the known leader's last heartbeat arrived, judged over the liveness window (a heartbeat
    /// exactly one window old still counts, as in the seed).
    var leaderLiveness: LeaderLiveness
    /// When another node's prepare was last seen, or when this node started if it has seen none.
    ///
    /// The seed (functional.py, `_tlast_prep`) sets it at construction: a node that just started
    /// has heard nothing yet, so it gives a leader it may simply not have heard from yet half a
    /// window more than the liveness window before it challenges it.
    var lastForeignPrepare: ClockInstant
    /// When the next heartbeat is due, while leader.
    var nextPulse: ClockInstant?
    /// When liveness is next polled.
    var nextLivenessPoll: ClockInstant

    /// A node that starts at `now`. With `leader`, every node of the cluster starts knowing that node
    /// as leader (under proposal number 1), and that node starts as leader without a phase 1.
    public init(
        uid: NodeID, quorumSize: Int, leader: NodeID? = nil,
        configuration: HeartbeatConfiguration = HeartbeatConfiguration(), now: ClockInstant
    ) {
        node = Node(uid: uid, quorumSize: quorumSize)
        self.configuration = configuration
        leaderUID = leader
        leaderProposalID = node.startWithConfiguredLeader(leader)
        leaderLiveness = LeaderLiveness(
            window: configuration.livenessWindow, includesWindowEnd: true, lastContact: now)
        lastForeignPrepare = now
        nextLivenessPoll = now + configuration.livenessWindow
        if node.isLeader {
            nextPulse = now
        }
    }

    public var uid: NodeID { node.uid }
    public var isLeader: Bool { node.isLeader }

    /// True while the leader's last heartbeat is within the liveness window.
    public func leaderIsAlive(now: ClockInstant) -> Bool {
        leaderLiveness.isAlive(now: now)
    }

    /// True while another node's prepare was seen, or this node started, within 1.5 × the liveness
    /// window. This node's own prepares do not count (the seed's `recv_prepare` skips its own uid):
    /// a candidate that is still acquiring prepares again at the next poll.
    public func observedRecentPrepare(now: ClockInstant) -> Bool {
        now - lastForeignPrepare <= configuration.recentPrepareWindow
    }

    // MARK: - Time

    /// Advances the node to `now`: sends a heartbeat when one is due, polls liveness when due.
    public mutating func tick(now: ClockInstant) -> [NodeAction<Value>] {
        var actions: [NodeAction<Value>] = []
        if isLeader, let due = nextPulse, now >= due {
            actions += pulse(now: now)
        }
        if now >= nextLivenessPoll {
            nextLivenessPoll = now + configuration.livenessWindow
            actions += pollLiveness(now: now)
        }
        return actions
    }

    /// Sends a heartbeat if leader (and counts it as heard, so the leader sees itself alive).
    public mutating func pulse(now: ClockInstant) -> [NodeAction<Value>] {
        guard isLeader, let proposalID = node.proposalID else { return [] }
        var actions = receiveHeartbeat(Heartbeat(leaderProposalID: proposalID), from: uid, now: now)
        actions += node.active([.send(.heartbeat(Heartbeat(leaderProposalID: proposalID)), to: .nodes)])
        nextPulse = now + configuration.period
        return actions
    }

    /// Starts (or continues) acquiring leadership when the leader is dead and no other candidate
    /// was seen recently.
    public mutating func pollLiveness(now: ClockInstant) -> [NodeAction<Value>] {
        guard !leaderIsAlive(now: now), !observedRecentPrepare(now: now) else { return [] }
        return isAcquiring ? prepare() : acquireLeadership(now: now)
    }

    /// Tries to become leader, unless the current leader is alive.
    public mutating func acquireLeadership(now: ClockInstant) -> [NodeAction<Value>] {
        if leaderIsAlive(now: now) {
            isAcquiring = false
            return []
        }
        isAcquiring = true
        return prepare()
    }

    /// A new round with a higher proposal id.
    public mutating func prepare() -> [NodeAction<Value>] {
        node.prepare()
    }

    // MARK: - Proposals and persistence

    /// Sets this node's proposal (once); a leader sends the accept at once.
    public mutating func setProposal(_ value: Value) -> [NodeAction<Value>] { node.setProposal(value) }

    /// The state from the last `.persist` is durable: releases the replies held for it.
    public mutating func persisted() -> [NodeAction<Value>] { node.persisted() }

    // MARK: - Messages

    /// Processes one message from `sender` that arrived at `now`.
    public mutating func receive(_ message: Message<Value>, from sender: NodeID, now: ClockInstant) -> [NodeAction<
        Value
    >] {
        switch message {
        case .heartbeat(let heartbeat):
            return receiveHeartbeat(heartbeat, from: sender, now: now)
        case .prepare:
            if sender != uid {
                lastForeignPrepare = now
            }
            return node.receive(message, from: sender)
        case .promise:
            let wasLeader = isLeader
            var actions = node.receive(message, from: sender)
            if !wasLeader && isLeader {
                let previous = leaderUID
                leaderUID = uid
                leaderProposalID = node.proposalID
                isAcquiring = false
                actions += pulse(now: now)
                actions.append(.leadershipChanged(previous: previous, current: uid))
            }
            return actions
        case .prepareNack:
            var actions = node.receive(message, from: sender)
            if isAcquiring {
                actions += prepare()
            }
            return actions
        case .acceptNack(let nack):
            let actions = node.receive(message, from: sender)
            guard node.stepDownIfRejectedByQuorum(nack: nack, from: sender) else { return actions }
            leaderUID = nil
            leaderProposalID = nil
            nextPulse = nil
            return actions + [.leadershipLost, .leadershipChanged(previous: uid, current: nil)]
        case .accept, .accepted, .leadershipProclamation:
            return node.receive(message, from: sender)
        }
    }

    private mutating func receiveHeartbeat(_ heartbeat: Heartbeat, from sender: NodeID, now: ClockInstant)
        -> [NodeAction<Value>]
    {
        var actions: [NodeAction<Value>] = []
        if heartbeat.leaderProposalID > leaderProposalID {
            isAcquiring = false
            let previous = leaderUID
            leaderUID = sender
            leaderProposalID = heartbeat.leaderProposalID
            if isLeader && sender != uid {
                node.isLeader = false
                nextPulse = nil
                actions.append(.leadershipLost)
                node.observeProposal(heartbeat.leaderProposalID, from: sender)
            }
            actions.append(.leadershipChanged(previous: previous, current: sender))
        }
        if heartbeat.leaderProposalID == leaderProposalID {
            leaderLiveness.heard(at: now)
        }
        return actions
    }
}
