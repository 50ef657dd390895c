extension Composable {
    /// A learner as in composable_paxos.py: after the resolution it answers every accepted message
    /// with the resolution again, and keeps collecting the acceptors that hold the chosen value.
    ///
    /// The vote counting is `PaxosCore.Learner`'s; this type adds only what happens after it.
    public struct Learner<Value: Hashable & Sendable>: Sendable {
        var core: PaxosCore.Learner<Value>
        /// The acceptors known to hold the chosen value: those whose latest vote was the chosen
        /// proposal at the resolution, then every one that reports the chosen value under that
        /// proposal or a later one.
        public internal(set) var finalAcceptors: Set<NodeID> = []

        public init(quorumSize: Int) {
            core = PaxosCore.Learner(quorumSize: quorumSize)
        }

        public var quorumSize: Int { core.quorumSize }
        /// The chosen value, once a quorum accepted it.
        public var resolution: Resolution<Value>? { core.resolution }
        /// Each acceptor's latest vote, as counted before the resolution.
        public var latestVotes: [NodeID: ProposalID] { core.latestVotes }

        /// Records an acceptor's vote. Returns the resolution when this vote completes a quorum, and
        /// again for every accepted message after that, whatever it carries: the seed returns a
        /// resolution message to send back, so a peer still voting learns the outcome.
        public mutating func receiveAccepted(_ accepted: Accepted<Value>, from acceptor: NodeID) -> Resolution<Value>? {
            if let resolution = core.resolution {
                // Only the chosen value under the chosen proposal or a later one proves that this
                // acceptor holds it now; an older vote may have been overwritten since.
                if accepted.proposalID >= resolution.proposalID, accepted.value == resolution.value {
                    finalAcceptors.insert(acceptor)
                }
                return resolution
            }
            guard let resolution = core.receiveAccepted(accepted, from: acceptor) else { return nil }
            finalAcceptors = core.resolutionVoters
            return resolution
        }
    }
}
