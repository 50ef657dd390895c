/// A practical node whose leader is chosen by an external failure detector instead of heartbeats.
///
/// It never prepares on its own: the detector calls `prepare()` on the node it wants as leader.
/// When that node gains a quorum of promises it proclaims its leadership to every node; nodes follow
/// the newest proclamation they have seen. A leader steps down on a newer proclamation or on a
/// quorum of accept NACKs.
public struct ExternalLeadershipNode<Value: Hashable & Sendable>: Sendable {
    /// The proposer, acceptor and learner this node drives.
    public internal(set) var node: Node<Value>
    /// The node believed to be leader, if any.
    public internal(set) var leaderUID: NodeID?
    /// The proposal id of the newest proclamation followed.
    public internal(set) var leaderProposalID: ProposalID?

    /// A new node. With `leader`, every node starts following that node under proposal (1, leader),
    /// and that node starts as leader under it, without a phase 1 and without a proclamation (the
    /// others already know), as the seed's external.py constructor does.
    public init(uid: NodeID, quorumSize: Int, leader: NodeID? = nil) {
        node = Node(uid: uid, quorumSize: quorumSize)
        leaderUID = leader
        leaderProposalID = node.startWithConfiguredLeader(leader)
    }

    public var uid: NodeID { node.uid }
    public var isLeader: Bool { node.isLeader }

    /// Called by the failure detector when this node should lead: starts a round.
    public mutating func prepare(incrementProposalNumber: Bool = true) -> [NodeAction<Value>] {
        node.prepare(incrementProposalNumber: incrementProposalNumber)
    }

    /// Sets this node's proposal (once); a leader sends the accept at once.
    public mutating func setProposal(_ value: Value) -> [NodeAction<Value>] { node.setProposal(value) }

    /// The state from the last `.persist` is durable: releases the replies held for it.
    public mutating func persisted() -> [NodeAction<Value>] { node.persisted() }

    /// Processes one message from `sender`.
    public mutating func receive(_ message: Message<Value>, from sender: NodeID) -> [NodeAction<Value>] {
        switch message {
        case .leadershipProclamation(let proclamation):
            return receiveProclamation(proclamation, from: sender)
        case .promise:
            let wasLeader = isLeader
            var actions = node.receive(message, from: sender)
            if !wasLeader && isLeader, let proposalID = node.proposalID {
                let previous = leaderUID
                leaderUID = uid
                leaderProposalID = proposalID
                actions += node.active([
                    .send(.leadershipProclamation(LeadershipProclamation(proposalID: proposalID)), to: .nodes)
                ])
                actions.append(.leadershipChanged(previous: previous, current: uid))
            }
            return actions
        case .acceptNack(let nack):
            let actions = node.receive(message, from: sender)
            guard node.stepDownIfRejectedByQuorum(nack: nack, from: sender) else { return actions }
            leaderUID = nil
            leaderProposalID = nil
            return actions + [.leadershipLost, .leadershipChanged(previous: uid, current: nil)]
        case .prepare, .prepareNack, .accept, .accepted, .heartbeat:
            return node.receive(message, from: sender)
        }
    }

    private mutating func receiveProclamation(_ proclamation: LeadershipProclamation, from sender: NodeID)
        -> [NodeAction<Value>]
    {
        // An older proclamation, delivered late, must not override a newer leader.
        guard proclamation.proposalID >= leaderProposalID, sender != uid else { return [] }
        var actions: [NodeAction<Value>] = []
        if isLeader {
            node.isLeader = false
            actions.append(.leadershipLost)
        }
        node.observeProposal(proclamation.proposalID, from: sender)
        let previous = leaderUID
        leaderUID = sender
        leaderProposalID = proclamation.proposalID
        if previous != sender {
            actions.append(.leadershipChanged(previous: previous, current: sender))
        }
        return actions
    }
}
