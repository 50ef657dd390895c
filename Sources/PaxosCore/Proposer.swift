/// The proposer of single-decree Paxos, as in the textbook and nothing more.
///
/// Phase 1: `prepare()` picks a proposal id higher than any this proposer used before and asks the
/// acceptors to promise. Phase 2: once a quorum has promised, it asks them to accept a value: the
/// value of the highest-numbered proposal any of them already accepted, or its own if none did.
/// That adoption rule is the whole of Paxos's safety on the proposer side.
public struct Proposer<Value: Hashable & Sendable>: Sendable {
    /// This proposer's node id; the tie-breaker in every proposal id it issues.
    public let uid: NodeID
    /// How many promises make a quorum (a majority of acceptors).
    public var quorumSize: Int
    /// The value this proposer will ask acceptors to accept; may be replaced by an adopted value.
    public internal(set) var proposedValue: Value?
    /// The id of the current round, nil before the first prepare.
    public internal(set) var proposalID: ProposalID?
    /// The highest accepted proposal reported in the promises of this round.
    public internal(set) var highestAcceptedID: ProposalID?
    /// The number the next `prepare()` will use.
    public internal(set) var nextProposalNumber: UInt64 = 1
    /// The acceptors that promised in this round.
    public internal(set) var promisesReceived: Set<NodeID> = []

    public init(uid: NodeID, quorumSize: Int) {
        self.uid = uid
        self.quorumSize = quorumSize
    }

    /// True once a quorum of acceptors promised in the current round.
    public var hasQuorumOfPromises: Bool { promisesReceived.count >= quorumSize }

    /// Sets this proposer's own value. It is set once: a later call, or a value already adopted from
    /// a promise, wins over it.
    public mutating func setProposal(_ value: Value) {
        if proposedValue == nil {
            proposedValue = value
        }
    }

    /// Starts a new round with a proposal id higher than any this proposer issued before.
    public mutating func prepare() -> Prepare {
        promisesReceived = []
        let id = ProposalID(number: nextProposalNumber, uid: uid)
        proposalID = id
        nextProposalNumber += 1
        return Prepare(proposalID: id)
    }

    /// Counts a promise. Returns the accept request when this promise completes a quorum and a value
    /// is known; nil otherwise (a promise for another round, a duplicate, or no quorum yet).
    public mutating func receivePromise(_ promise: Promise<Value>, from acceptor: NodeID) -> Accept<Value>? {
        guard let proposalID, promise.proposalID == proposalID, !promisesReceived.contains(acceptor) else {
            return nil
        }
        promisesReceived.insert(acceptor)

        if AdoptionRule.prefers(promise.acceptedID, over: highestAcceptedID) {
            highestAcceptedID = promise.acceptedID
            if let value = promise.acceptedValue {
                proposedValue = value
            }
        }

        guard promisesReceived.count == quorumSize, let value = proposedValue else { return nil }
        return Accept(proposalID: proposalID, value: value)
    }

    /// Counts a promise as `receivePromise` does, and also says whether it is the promise that
    /// completed the quorum. Leadership comes with that promise and only with it: a proposer that
    /// lost leadership does not regain it from a late promise of the same round.
    mutating func receivePromiseCompletingQuorum(_ promise: Promise<Value>, from acceptor: NodeID)
        -> (completesQuorum: Bool, accept: Accept<Value>?)
    {
        let countBefore = promisesReceived.count
        let accept = receivePromise(promise, from: acceptor)
        return (promisesReceived.count > countBefore && promisesReceived.count == quorumSize, accept)
    }
}
