/// A practical Paxos node: proposer, acceptor and learner in one, with the additions a real
/// deployment needs on top of the textbook roles:
///
/// - NACKs: a prepare or accept below the promise is answered with the promised id, so the
///   proposer learns at once that it must outbid it.
/// - Observing foreign proposal ids, so this node's next prepare is higher than any it has seen.
/// - Leadership tracking: the proposer is leader once a quorum promised its proposal id.
/// - Re-sending the current prepare (same id) or accept, for lost messages.
/// - Active/passive mode: a passive node updates its state from every message but sends nothing.
/// - Persist-before-send: when the acceptor's state changes, the node emits `.persist(state)` and
///   holds the promise or accepted reply until the caller reports the state durable with
///   `persisted()`. While a write is pending, further state-changing prepares and accepts are
///   ignored (the proposer re-sends), so a reply never reflects a state that is not on disk.
/// - A learner that keeps collecting the set of acceptors that hold the final value.
public struct Node<Value: Hashable & Sendable>: Sendable {
    public internal(set) var proposer: Proposer<Value>
    public internal(set) var acceptor: Acceptor<Value>
    public internal(set) var learner: Learner<Value>

    /// A passive node processes every message but sends nothing (a standby or a node catching up).
    public var isActive = true
    /// True while this node's proposer holds a quorum of promises for its current proposal id.
    public internal(set) var isLeader = false
    /// Acceptors that have NACKed this node's current accept; reset by every new prepare.
    public internal(set) var acceptNacks: Set<NodeID> = []
    /// The acceptors known to hold the chosen value; grows after resolution as more report it.
    public internal(set) var finalAcceptors: Set<NodeID> = []

    /// The acceptor state handed to the caller in `.persist` and not yet confirmed durable.
    public internal(set) var pendingPersist: AcceptorState<Value>?
    /// Replies waiting for `pendingPersist` to become durable.
    var heldReplies: [NodeAction<Value>] = []

    /// A new node with no history.
    public init(uid: NodeID, quorumSize: Int) {
        proposer = Proposer(uid: uid, quorumSize: quorumSize)
        acceptor = Acceptor()
        learner = Learner(quorumSize: quorumSize)
    }

    /// A node restarted from the acceptor state it last persisted. Its next proposal number is past
    /// every id in that state, so it cannot re-issue one of its own old ids with a new value.
    public static func recover(uid: NodeID, quorumSize: Int, state: AcceptorState<Value>) -> Node {
        var node = Node(uid: uid, quorumSize: quorumSize)
        node.acceptor = Acceptor(state: state)
        let highest = max(state.promisedID?.number ?? 0, state.acceptedID?.number ?? 0)
        node.proposer.nextProposalNumber = highest + 1
        return node
    }

    public var uid: NodeID { proposer.uid }
    public var quorumSize: Int { proposer.quorumSize }
    public var proposalID: ProposalID? { proposer.proposalID }
    public var proposedValue: Value? { proposer.proposedValue }
    public var resolution: Resolution<Value>? { learner.resolution }

    /// Changes the quorum for the proposer and the learner (for membership changes).
    public mutating func changeQuorumSize(_ quorumSize: Int) {
        proposer.quorumSize = quorumSize
        learner.quorumSize = quorumSize
    }

    // MARK: - Proposer

    /// Sets this node's proposal (once). A leader sends the accept at once.
    public mutating func setProposal(_ value: Value) -> [NodeAction<Value>] {
        guard proposer.proposedValue == nil else { return [] }
        proposer.setProposal(value)
        return isLeader ? sendAccept() : []
    }

    /// Starts a new round with a higher proposal id, or, with `incrementProposalNumber: false`,
    /// sends the current prepare again (its messages may have been lost).
    public mutating func prepare(incrementProposalNumber: Bool = true) -> [NodeAction<Value>] {
        let prepare: Prepare
        if incrementProposalNumber || proposer.proposalID == nil {
            isLeader = false
            acceptNacks = []
            prepare = proposer.prepare()
        } else if let current = proposer.proposalID {
            prepare = Prepare(proposalID: current)
        } else {
            return []
        }
        return active([.send(.prepare(prepare), to: .acceptors)])
    }

    /// Sends the current accept again, if this node is leader and has a value.
    public mutating func resendAccept() -> [NodeAction<Value>] {
        isLeader ? sendAccept() : []
    }

    /// Notes a proposal id seen from another node so that the next prepare outbids it.
    public mutating func observeProposal(_ proposalID: ProposalID?, from sender: NodeID) {
        guard let proposalID, sender != uid else { return }
        if proposalID >= ProposalID(number: proposer.nextProposalNumber, uid: uid) {
            proposer.nextProposalNumber = proposalID.number + 1
        }
    }

    private func sendAccept() -> [NodeAction<Value>] {
        guard let id = proposer.proposalID, let value = proposer.proposedValue else { return [] }
        return active([.send(.accept(Accept(proposalID: id, value: value)), to: .acceptors)])
    }

    // MARK: - Receiving

    /// Processes one message from `sender` and returns what to do about it.
    public mutating func receive(_ message: Message<Value>, from sender: NodeID) -> [NodeAction<Value>] {
        switch message {
        case .prepare(let prepare):
            observeProposal(prepare.proposalID, from: sender)
            return receivePrepare(prepare, from: sender)
        case .promise(let promise):
            return receivePromise(promise, from: sender)
        case .prepareNack(let nack):
            observeProposal(nack.promisedID, from: sender)
            return []
        case .accept(let accept):
            return receiveAccept(accept, from: sender)
        case .accepted(let accepted):
            return receiveAccepted(accepted, from: sender)
        case .acceptNack(let nack):
            if nack.proposalID == proposer.proposalID {
                acceptNacks.insert(sender)
            }
            return []
        case .heartbeat, .leadershipProclamation:
            // Leadership messages belong to HeartbeatNode and ExternalLeadershipNode.
            return []
        }
    }

    private mutating func receivePromise(_ promise: Promise<Value>, from sender: NodeID) -> [NodeAction<Value>] {
        observeProposal(promise.proposalID, from: sender)
        guard !isLeader else { return [] }
        let (completesQuorum, accept) = proposer.receivePromiseCompletingQuorum(promise, from: sender)
        guard completesQuorum else { return [] }
        isLeader = true
        var actions: [NodeAction<Value>] = [.leadershipAcquired]
        if let accept {
            actions += active([.send(.accept(accept), to: .acceptors)])
        }
        return actions
    }

    // MARK: - Acceptor (persist before send)

    private mutating func receivePrepare(_ prepare: Prepare, from sender: NodeID) -> [NodeAction<Value>] {
        let reply = Recipient.node(sender)
        if prepare.proposalID == acceptor.promisedID {
            // A repeated prepare: the promise is already made (the first reply may have been lost).
            let promise = Promise(
                proposalID: prepare.proposalID, acceptedID: acceptor.acceptedID, acceptedValue: acceptor.acceptedValue)
            return repeatReply(.send(.promise(promise), to: reply))
        }
        guard prepare.proposalID > acceptor.promisedID else {
            return active([
                .send(.prepareNack(Nack(proposalID: prepare.proposalID, promisedID: acceptor.promisedID)), to: reply)
            ])
        }
        guard pendingPersist == nil else { return [] }  // not acted on until the pending write lands
        guard let promise = acceptor.receivePrepare(prepare) else { return [] }
        return persistThenHold(.send(.promise(promise), to: reply))
    }

    private mutating func receiveAccept(_ accept: Accept<Value>, from sender: NodeID) -> [NodeAction<Value>] {
        if accept.proposalID == acceptor.acceptedID && accept.value == acceptor.acceptedValue {
            let accepted = Accepted(proposalID: accept.proposalID, value: accept.value)
            return repeatReply(.send(.accepted(accepted), to: .learners))
        }
        guard accept.proposalID >= acceptor.promisedID else {
            return active([
                .send(
                    .acceptNack(Nack(proposalID: accept.proposalID, promisedID: acceptor.promisedID)), to: .node(sender)
                )
            ])
        }
        guard pendingPersist == nil else { return [] }
        guard let accepted = acceptor.receiveAccept(accept) else { return [] }
        return persistThenHold(.send(.accepted(accepted), to: .learners))
    }

    /// Answers a repeated request from the state on disk. While a write is pending the in-memory
    /// state may be ahead of the disk (a promise or accept not yet durable), so a repeat is not
    /// answered then; the held replies, or the sender's next retry, answer it.
    private func repeatReply(_ reply: NodeAction<Value>) -> [NodeAction<Value>] {
        pendingPersist == nil ? active([reply]) : []
    }

    private mutating func persistThenHold(_ reply: NodeAction<Value>) -> [NodeAction<Value>] {
        pendingPersist = acceptor.state
        if isActive {
            heldReplies.append(reply)
        }
        return [.persist(acceptor.state)]
    }

    /// The caller reports that the state from the last `.persist` is durable. Releases the replies
    /// that were waiting for it.
    public mutating func persisted() -> [NodeAction<Value>] {
        guard pendingPersist != nil else { return [] }
        pendingPersist = nil
        let replies = heldReplies
        heldReplies = []
        return active(replies)
    }

    // MARK: - Learner

    private mutating func receiveAccepted(_ accepted: Accepted<Value>, from sender: NodeID) -> [NodeAction<Value>] {
        if let resolution = learner.resolution {
            if accepted.value == resolution.value {
                finalAcceptors.insert(sender)
            }
            return []
        }
        guard let resolution = learner.receiveAccepted(accepted, from: sender) else { return [] }
        finalAcceptors = learner.resolutionVoters
        return [.resolved(resolution)]
    }

    // MARK: - Leadership helpers shared by HeartbeatNode and ExternalLeadershipNode

    /// Steps down when a quorum of acceptors NACKed the current accept: another proposer has
    /// overtaken this one. Returns true when it stepped down.
    mutating func stepDownIfRejectedByQuorum(nack: Nack, from sender: NodeID) -> Bool {
        guard isLeader, acceptNacks.count >= quorumSize else { return false }
        isLeader = false
        proposer.promisesReceived = []
        observeProposal(nack.promisedID, from: sender)
        return true
    }

    /// Starts a new node in a cluster configured with a known first leader (nil: none). Returns the
    /// proposal id every node attributes to that leader, (1, leader), and makes this node leader
    /// under it, without a phase 1, when it is that leader.
    ///
    /// As the seed's functional.py and external.py constructors do: every member starts agreeing on
    /// the same leader, so the first value needs no election. It trusts that configuration: skipping
    /// phase 1 is safe while nobody proposes below (1, leader), which a member with a lower uid that
    /// prepares at number 1 would do; the configured followers wait before they prepare at all.
    mutating func startWithConfiguredLeader(_ leader: NodeID?) -> ProposalID? {
        guard let leader else { return nil }
        let proposalID = ProposalID(number: 1, uid: leader)
        if leader == uid {
            isLeader = true
            proposer.proposalID = proposalID
            proposer.nextProposalNumber = proposalID.number + 1
        }
        return proposalID
    }

    /// Keeps sends only when this node is active; passive nodes send nothing.
    func active(_ actions: [NodeAction<Value>]) -> [NodeAction<Value>] {
        isActive ? actions : []
    }
}
