/// The learner of single-decree Paxos: it watches the acceptors' votes and resolves when a quorum
/// of them accepted the same proposal.
///
/// It is ``MultiSlotLearner`` with one slot and a quorum that is a count: the rule is written once,
/// in ``SlotTally`` (each acceptor counts once, for its latest vote; a proposal keeps the accepts it
/// collected even after some of its acceptors moved on).
public struct Learner<Value: Hashable & Sendable>: Sendable {
    /// The single decree lives in this slot of the multi-slot learner.
    private static var slot: UInt64 { 1 }
    private var core = MultiSlotLearner<Value>()

    /// How many accepts make the value chosen.
    public var quorumSize: Int

    public init(quorumSize: Int) {
        self.quorumSize = quorumSize
    }

    /// The chosen value, once a quorum accepted it.
    public var resolution: Resolution<Value>? { core.resolution(at: Self.slot) }
    /// Each acceptor's latest vote.
    public var latestVotes: [NodeID: ProposalID] { core.latestVotes(at: Self.slot) }

    /// True once a value is chosen.
    public var isComplete: Bool { resolution != nil }

    /// The acceptors whose latest vote is the chosen proposal (empty before the resolution): the
    /// first members of a learner's final acceptors, which later accepted messages add to.
    public var resolutionVoters: Set<NodeID> {
        guard let resolution else { return [] }
        return Set(latestVotes.filter { $0.value == resolution.proposalID }.keys)
    }

    /// Records an acceptor's vote. Returns the resolution when this vote completes a quorum.
    public mutating func receiveAccepted(_ accepted: Accepted<Value>, from acceptor: NodeID) -> Resolution<Value>? {
        let quorumSize = quorumSize
        return core.receiveAccepted(
            Vote(ballot: accepted.proposalID, value: accepted.value), at: Self.slot, from: acceptor,
            isQuorum: { $0.count >= quorumSize })
    }
}
