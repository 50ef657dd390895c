extension Composable {
    /// A proposer as in composable_paxos.py: it returns the message to send from every call.
    ///
    /// The promise counting and the adoption rule are `PaxosCore.Proposer`'s; this type adds the
    /// composable seed's numbering (ids start at (0, uid) and a prepare goes one above the highest
    /// id seen), its NACK quorum, and a leader flag the caller may set.
    public struct Proposer<Value: Hashable & Sendable>: Sendable {
        var core: PaxosCore.Proposer<Value>
        /// True once a quorum promised the current proposal id, or when the caller sets it. A leader
        /// skips phase 1, so set it only for an id whose phase 1 ran elsewhere (a Multi-Paxos
        /// leader's later instances): two proposers both told they lead could get two values chosen.
        /// Leaders that won phase 1 may also overlap; that only slows Paxos down.
        public var isLeader = false
        /// The highest proposal id this proposer issued or observed; the next prepare goes above it.
        public internal(set) var highestProposalID: ProposalID
        /// The acceptors that NACKed the current proposal id in this round.
        public internal(set) var nacksReceived: Set<NodeID> = []
        /// False until the first prepare: before it there is no round whose NACKs or promises count
        /// (the seed has no promise or NACK sets yet, and a promise for (0, uid) answers a prepare
        /// that was never sent).
        public internal(set) var hasPrepared = false

        /// A proposer whose proposal id is (0, `uid`).
        public init(uid: NodeID, quorumSize: Int) {
            core = PaxosCore.Proposer(uid: uid, quorumSize: quorumSize)
            let initial = ProposalID(number: 0, uid: uid)
            core.proposalID = initial
            highestProposalID = initial
        }

        public var uid: NodeID { core.uid }
        public var quorumSize: Int { core.quorumSize }
        /// The current proposal id: (0, uid) until the first prepare.
        public var proposalID: ProposalID { core.proposalID ?? ProposalID(number: 0, uid: uid) }
        public var proposedValue: Value? { core.proposedValue }
        public var highestAcceptedID: ProposalID? { core.highestAcceptedID }
        public var promisesReceived: Set<NodeID> { core.promisesReceived }

        /// Sets the value to propose, once (a value adopted from a promise also counts). A leader
        /// returns the accept for it at once, under the current proposal id.
        public mutating func proposeValue(_ value: Value) -> Accept<Value>? {
            guard core.proposedValue == nil else { return nil }
            core.setProposal(value)
            return isLeader ? Accept(proposalID: proposalID, value: value) : nil
        }

        /// Starts a round one number above the highest id seen, giving up leadership until a quorum
        /// promises again.
        public mutating func prepare() -> Prepare {
            isLeader = false
            hasPrepared = true
            nacksReceived = []
            core.nextProposalNumber = highestProposalID.number + 1
            let prepare = core.prepare()
            highestProposalID = prepare.proposalID
            return prepare
        }

        /// Notes an id seen on the network so that the next prepare outbids it (called for every
        /// promise and NACK; a caller that hosts an acceptor also calls it for prepares and accepts).
        public mutating func observeProposal(_ proposalID: ProposalID?) {
            if let proposalID, proposalID > highestProposalID {
                highestProposalID = proposalID
            }
        }

        /// Counts a promise. Returns the accept when this promise completes a quorum and a value is
        /// known (its own, or the highest accepted one the promises reported).
        public mutating func receivePromise(_ promise: Promise<Value>, from acceptor: NodeID) -> Accept<Value>? {
            observeProposal(promise.proposalID)
            guard hasPrepared, !isLeader else { return nil }
            let (completesQuorum, accept) = core.receivePromiseCompletingQuorum(promise, from: acceptor)
            if completesQuorum {
                isLeader = true
            }
            return accept
        }

        /// Counts a NACK of the current proposal (of its prepare or its accept). The one that makes
        /// a quorum means a quorum promised a higher id: this proposer cannot succeed with its id,
        /// so it returns the next prepare, which also ends its leadership.
        public mutating func receiveNack(_ nack: Nack, from acceptor: NodeID) -> Prepare? {
            observeProposal(nack.promisedID)
            guard hasPrepared, nack.proposalID == proposalID else { return nil }
            let countBefore = nacksReceived.count
            nacksReceived.insert(acceptor)
            guard nacksReceived.count > countBefore, nacksReceived.count == quorumSize else { return nil }
            return prepare()
        }
    }
}
