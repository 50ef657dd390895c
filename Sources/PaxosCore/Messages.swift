/// Phase 1a: a proposer asks acceptors to promise to ignore proposals below `proposalID`.
public struct Prepare: Hashable, Sendable {
    public var proposalID: ProposalID
    public init(proposalID: ProposalID) { self.proposalID = proposalID }
}

/// Phase 1b: an acceptor's promise, reporting the last proposal it accepted (if any) so the
/// proposer can adopt that value instead of its own.
public struct Promise<Value: Hashable & Sendable>: Hashable, Sendable {
    public var proposalID: ProposalID
    public var acceptedID: ProposalID?
    public var acceptedValue: Value?

    public init(proposalID: ProposalID, acceptedID: ProposalID?, acceptedValue: Value?) {
        self.proposalID = proposalID
        self.acceptedID = acceptedID
        self.acceptedValue = acceptedValue
    }
}

/// Phase 2a: a proposer that holds a quorum of promises asks acceptors to accept `value`.
public struct Accept<Value: Hashable & Sendable>: Hashable, Sendable {
    public var proposalID: ProposalID
    public var value: Value

    public init(proposalID: ProposalID, value: Value) {
        self.proposalID = proposalID
        self.value = value
    }
}

/// Phase 2b: an acceptor tells the learners it accepted `value` under `proposalID`.
public struct Accepted<Value: Hashable & Sendable>: Hashable, Sendable {
    public var proposalID: ProposalID
    public var value: Value

    public init(proposalID: ProposalID, value: Value) {
        self.proposalID = proposalID
        self.value = value
    }
}

/// A refusal of a prepare or an accept below the acceptor's promise. Carrying the promised id lets
/// the proposer outbid it on its next attempt instead of guessing.
public struct Nack: Hashable, Sendable {
    /// The proposal that was refused.
    public var proposalID: ProposalID
    /// The acceptor's current promise, which is higher.
    public var promisedID: ProposalID?

    public init(proposalID: ProposalID, promisedID: ProposalID?) {
        self.proposalID = proposalID
        self.promisedID = promisedID
    }
}

/// A leader's periodic "I am alive" under the proposal id that made it leader.
public struct Heartbeat: Hashable, Sendable {
    public var leaderProposalID: ProposalID
    public init(leaderProposalID: ProposalID) { self.leaderProposalID = leaderProposalID }
}

/// A node announcing that it has become leader, for clusters that use an external failure detector.
public struct LeadershipProclamation: Hashable, Sendable {
    public var proposalID: ProposalID
    public init(proposalID: ProposalID) { self.proposalID = proposalID }
}

/// Every message a Paxos node sends or receives. The sender is not part of the message: the
/// transport knows who sent it and passes that alongside.
public enum Message<Value: Hashable & Sendable>: Hashable, Sendable {
    case prepare(Prepare)
    case promise(Promise<Value>)
    case prepareNack(Nack)
    case accept(Accept<Value>)
    case accepted(Accepted<Value>)
    case acceptNack(Nack)
    case heartbeat(Heartbeat)
    case leadershipProclamation(LeadershipProclamation)
}

/// Where a message goes. Deployments where every node plays every role deliver all of these to
/// every node (the sender included).
public enum Recipient: Hashable, Sendable {
    /// Every acceptor (prepare, accept).
    case acceptors
    /// Every learner (accepted).
    case learners
    /// Every node (heartbeat, leadership proclamation).
    case nodes
    /// One node (promise, NACKs go back to the proposer that asked).
    case node(NodeID)
}
