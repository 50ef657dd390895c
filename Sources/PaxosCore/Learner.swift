/// The learner of single-decree Paxos: it watches the acceptors' votes and resolves when a quorum
/// of them accepted the same proposal.
///
/// Each acceptor counts once, for its latest vote: an older or repeated vote is ignored, and a vote
/// for a newer proposal moves that acceptor's support. A proposal keeps the accepts it collected
/// even after some of its acceptors moved on (it was accepted by them at some point, which is what
/// "chosen" means); it is forgotten only when nobody still holds it as their latest vote.
public struct Learner<Value: Hashable & Sendable>: Sendable {
    /// Votes for one proposal.
    struct Tally: Sendable {
        /// Acceptors that accepted this proposal at some point.
        var acceptCount: Int
        /// Acceptors whose latest vote is still this proposal.
        var retainCount: Int
        var value: Value
    }

    /// How many accepts make the value chosen.
    public var quorumSize: Int
    /// The chosen value, once a quorum accepted it.
    public internal(set) var resolution: Resolution<Value>?
    /// Each acceptor's latest vote.
    public internal(set) var latestVotes: [NodeID: ProposalID] = [:]
    var tallies: [ProposalID: Tally] = [:]

    public init(quorumSize: Int) {
        self.quorumSize = quorumSize
    }

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
        guard resolution == nil else { return nil }

        let previous = latestVotes[acceptor]
        guard accepted.proposalID > previous else { return nil }  // old or duplicate vote
        // One proposal id carries one value; a different value under the same id can only come
        // from a broken peer, and counting it would be unsafe.
        if let existing = tallies[accepted.proposalID], existing.value != accepted.value { return nil }
        latestVotes[acceptor] = accepted.proposalID

        if let previous, var old = tallies[previous] {
            old.retainCount -= 1
            tallies[previous] = old.retainCount == 0 ? nil : old
        }

        var tally = tallies[accepted.proposalID] ?? Tally(acceptCount: 0, retainCount: 0, value: accepted.value)
        tally.acceptCount += 1
        tally.retainCount += 1
        tallies[accepted.proposalID] = tally

        guard tally.acceptCount == quorumSize else { return nil }
        let chosen = Resolution(proposalID: accepted.proposalID, value: accepted.value)
        resolution = chosen
        tallies = [:]
        return chosen
    }
}
