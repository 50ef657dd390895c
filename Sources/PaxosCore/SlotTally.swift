/// The votes cast in one slot (one decree), and the rule that decides it: a value is chosen once a
/// quorum of acceptors accepted it under one ballot.
///
/// Each acceptor counts once, for its latest vote: an older or repeated vote is ignored, and a vote
/// under a newer ballot moves that acceptor's support. A ballot keeps the acceptors it collected
/// even after some of them moved on (each accepted it at some point, which is what "chosen" means);
/// it is forgotten only when nobody still holds it as their latest vote. Votes under different
/// ballots never add up, even for the same value.
struct SlotTally<Value: Hashable & Sendable>: Sendable {
    /// The votes cast under one ballot.
    struct BallotVotes: Sendable {
        /// Acceptors that accepted under this ballot at some point.
        var voters: Set<NodeID>
        /// How many acceptors' latest vote is still this ballot.
        var holders: Int
        var value: Value
    }

    /// Each acceptor's latest vote, as counted (it stops changing once the slot is decided).
    private(set) var latestVotes: [NodeID: ProposalID] = [:]
    private var ballots: [ProposalID: BallotVotes] = [:]
    /// The chosen value and its ballot, once a quorum accepted it.
    private(set) var resolution: Resolution<Value>?
    /// The acceptors known to hold the chosen value under the chosen ballot: its voters when it was
    /// chosen, then each one that reports it later (a slow acceptor need not be sent it again).
    private(set) var chosenVoters: Set<NodeID> = []

    /// Records `acceptor`'s `vote`. Returns the resolution when this vote completes a quorum, as
    /// `isQuorum` judges the ballot's voters.
    mutating func add(
        _ vote: Vote<Value>, from acceptor: NodeID, isQuorum: (Set<NodeID>) -> Bool
    ) -> Resolution<Value>? {
        if let resolution {
            if vote.ballot == resolution.proposalID && vote.value == resolution.value {
                chosenVoters.insert(acceptor)
            }
            return nil
        }
        let previous = latestVotes[acceptor]
        guard vote.ballot > previous else { return nil }  // old or duplicate vote
        // One ballot carries one value per slot; a different value under the same ballot can only
        // come from a broken peer, and counting it would be unsafe.
        if let existing = ballots[vote.ballot], existing.value != vote.value { return nil }
        latestVotes[acceptor] = vote.ballot

        if let previous, var old = ballots[previous] {
            old.holders -= 1
            ballots[previous] = old.holders == 0 ? nil : old
        }
        var votes = ballots[vote.ballot] ?? BallotVotes(voters: [], holders: 0, value: vote.value)
        votes.voters.insert(acceptor)
        votes.holders += 1
        ballots[vote.ballot] = votes

        guard isQuorum(votes.voters) else { return nil }
        let chosen = Resolution(proposalID: vote.ballot, value: vote.value)
        resolution = chosen
        chosenVoters = votes.voters
        ballots = [:]
        return chosen
    }

    /// The acceptors known to have accepted under `ballot`.
    func voters(under ballot: ProposalID) -> Set<NodeID> {
        if let resolution { return resolution.proposalID == ballot ? chosenVoters : [] }
        return ballots[ballot]?.voters ?? []
    }
}
