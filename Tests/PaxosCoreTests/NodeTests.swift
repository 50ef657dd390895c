import PaxosCore
import Testing

typealias Action = NodeAction<String>

func pid(_ number: UInt64, _ uid: UInt32) -> ProposalID { ProposalID(number: number, uid: NodeID(uid)) }
func promise(_ id: ProposalID, _ acceptedID: ProposalID? = nil, _ value: String? = nil) -> Message<String> {
    .promise(Promise(proposalID: id, acceptedID: acceptedID, acceptedValue: value))
}
func accept(_ id: ProposalID, _ value: String) -> Message<String> { .accept(Accept(proposalID: id, value: value)) }
func accepted(_ id: ProposalID, _ value: String) -> Message<String> {
    .accepted(Accepted(proposalID: id, value: value))
}
func prepare(_ id: ProposalID) -> Message<String> { .prepare(Prepare(proposalID: id)) }

/// The practical node: NACKs, leadership, passive mode, persist-before-send, recovery.
@Suite struct NodeTests {
    // MARK: Proposer side

    @Test func prepareGoesToAcceptorsAndQuorumMakesLeader() {
        var node = Node<String>(uid: 1, quorumSize: 2)
        #expect(node.setProposal("v") == [], "no accept before leadership")
        #expect(node.prepare() == [.send(prepare(pid(1, 1)), to: .acceptors)])
        #expect(node.receive(promise(pid(1, 1)), from: 2) == [])
        #expect(
            node.receive(promise(pid(1, 1)), from: 3) == [
                .leadershipAcquired, .send(accept(pid(1, 1), "v"), to: .acceptors),
            ])
        #expect(node.isLeader)
        #expect(node.receive(promise(pid(1, 1)), from: 4) == [], "promises after the quorum change nothing")
    }

    @Test func leaderWithoutValueSendsAcceptWhenValueArrives() {
        var node = Node<String>(uid: 1, quorumSize: 1)
        _ = node.prepare()
        #expect(node.receive(promise(pid(1, 1)), from: 2) == [.leadershipAcquired])
        #expect(node.setProposal("late") == [.send(accept(pid(1, 1), "late"), to: .acceptors)])
        #expect(node.setProposal("again") == [], "a proposal is set once")
    }

    @Test func resendPrepareKeepsTheNumberAndResendAcceptRepeatsTheAccept() {
        var node = Node<String>(uid: 1, quorumSize: 1)
        _ = node.prepare()
        #expect(node.prepare(incrementProposalNumber: false) == [.send(prepare(pid(1, 1)), to: .acceptors)])
        #expect(node.resendAccept() == [], "not leader yet")
        _ = node.receive(promise(pid(1, 1)), from: 2)
        _ = node.setProposal("v")
        #expect(node.resendAccept() == [.send(accept(pid(1, 1), "v"), to: .acceptors)])
        #expect(node.prepare() == [.send(prepare(pid(2, 1)), to: .acceptors)])
        #expect(!node.isLeader, "a new round gives up leadership until its quorum")
    }

    @Test func observedProposalIDsAreOutbid() {
        var node = Node<String>(uid: 1, quorumSize: 2)
        _ = node.receive(prepare(pid(5, 2)), from: 2)
        _ = node.persisted()
        #expect(node.prepare() == [.send(prepare(pid(6, 1)), to: .acceptors)])
        _ = node.receive(.prepareNack(Nack(proposalID: pid(6, 1), promisedID: pid(9, 3))), from: 3)
        #expect(node.prepare() == [.send(prepare(pid(10, 1)), to: .acceptors)])
    }

    // MARK: Acceptor side: NACKs

    @Test func prepareBelowPromiseIsNackedWithThePromise() {
        var node = Node<String>(uid: 1, quorumSize: 2)
        _ = node.receive(prepare(pid(3, 2)), from: 2)
        _ = node.persisted()
        #expect(
            node.receive(prepare(pid(2, 3)), from: 3)
                == [.send(.prepareNack(Nack(proposalID: pid(2, 3), promisedID: pid(3, 2))), to: .node(3))])
    }

    @Test func acceptBelowPromiseIsNackedWithThePromise() {
        var node = Node<String>(uid: 1, quorumSize: 2)
        _ = node.receive(prepare(pid(3, 2)), from: 2)
        _ = node.persisted()
        #expect(
            node.receive(accept(pid(2, 3), "x"), from: 3)
                == [.send(.acceptNack(Nack(proposalID: pid(2, 3), promisedID: pid(3, 2))), to: .node(3))])
        #expect(node.acceptor.acceptedValue == nil)
    }

    // MARK: Persist before send

    @Test func promiseIsHeldUntilTheStateIsDurable() {
        var node = Node<String>(uid: 1, quorumSize: 2)
        #expect(node.receive(prepare(pid(1, 2)), from: 2) == [.persist(AcceptorState(promisedID: pid(1, 2)))])
        #expect(node.receive(prepare(pid(1, 2)), from: 2) == [], "a repeat is answered by the held promise")
        #expect(node.persisted() == [.send(promise(pid(1, 2)), to: .node(2))])
        #expect(node.persisted() == [], "nothing is released twice")
        #expect(
            node.receive(prepare(pid(1, 2)), from: 2) == [.send(promise(pid(1, 2)), to: .node(2))],
            "once durable, a repeated prepare is answered at once")
    }

    @Test func acceptedIsHeldUntilTheStateIsDurable() {
        var node = Node<String>(uid: 1, quorumSize: 2)
        let state = AcceptorState(promisedID: pid(1, 2), acceptedID: pid(1, 2), acceptedValue: "v")
        #expect(node.receive(accept(pid(1, 2), "v"), from: 2) == [.persist(state)])
        #expect(node.receive(accept(pid(1, 2), "v"), from: 2) == [])
        #expect(node.persisted() == [.send(accepted(pid(1, 2), "v"), to: .learners)])
        #expect(node.receive(accept(pid(1, 2), "v"), from: 2) == [.send(accepted(pid(1, 2), "v"), to: .learners)])
    }

    @Test func higherRequestsAreNotActedOnWhileAWriteIsPending() {
        var node = Node<String>(uid: 1, quorumSize: 2)
        _ = node.receive(prepare(pid(1, 2)), from: 2)
        #expect(node.receive(prepare(pid(2, 3)), from: 3) == [])
        #expect(node.receive(accept(pid(2, 3), "w"), from: 3) == [])
        #expect(node.acceptor.state == AcceptorState(promisedID: pid(1, 2)))
        #expect(node.persisted() == [.send(promise(pid(1, 2)), to: .node(2))])
        #expect(node.receive(prepare(pid(2, 3)), from: 3) == [.persist(AcceptorState(promisedID: pid(2, 3)))])
    }

    @Test func recoverRestoresPromiseAndAcceptedValue() {
        let state = AcceptorState(promisedID: pid(4, 2), acceptedID: pid(3, 3), acceptedValue: "kept")
        var node = Node<String>.recover(uid: 1, quorumSize: 2, state: state)
        #expect(
            node.receive(prepare(pid(4, 2)), from: 2) == [.send(promise(pid(4, 2), pid(3, 3), "kept"), to: .node(2))])
        #expect(
            node.receive(prepare(pid(2, 2)), from: 2)
                == [.send(.prepareNack(Nack(proposalID: pid(2, 2), promisedID: pid(4, 2))), to: .node(2))])
        #expect(node.prepare() == [.send(prepare(pid(5, 1)), to: .acceptors)], "never reuses an id it may have issued")
    }

    // MARK: Passive mode

    @Test func passiveNodeProcessesEverythingAndSendsNothing() {
        var node = Node<String>(uid: 1, quorumSize: 1)
        node.isActive = false
        #expect(node.prepare() == [])
        #expect(node.receive(prepare(pid(3, 2)), from: 2) == [.persist(AcceptorState(promisedID: pid(3, 2)))])
        #expect(node.persisted() == [])
        #expect(node.receive(prepare(pid(1, 3)), from: 3) == [], "no NACK either")
        #expect(node.acceptor.promisedID == pid(3, 2))
        #expect(
            node.receive(accepted(pid(3, 2), "v"), from: 2) == [
                .resolved(Resolution(proposalID: pid(3, 2), value: "v"))
            ],
            "it still learns")
        node.isActive = true
        #expect(node.receive(prepare(pid(3, 2)), from: 2) == [.send(promise(pid(3, 2)), to: .node(2))])
    }

    @Test func passiveProposerTracksLeadershipButSendsNoAccept() {
        var node = Node<String>(uid: 1, quorumSize: 1)
        node.isActive = false
        _ = node.setProposal("v")
        _ = node.prepare()
        #expect(node.receive(promise(pid(1, 1)), from: 2) == [.leadershipAcquired])
        #expect(node.resendAccept() == [])
    }

    // MARK: Quorum size and final acceptors

    @Test func changingTheQuorumSizeAppliesToProposerAndLearner() {
        var node = Node<String>(uid: 1, quorumSize: 2)
        node.changeQuorumSize(3)
        _ = node.prepare()
        _ = node.receive(promise(pid(1, 1)), from: 2)
        #expect(node.receive(promise(pid(1, 1)), from: 3) == [])
        #expect(node.receive(promise(pid(1, 1)), from: 4) == [.leadershipAcquired])
        _ = node.receive(accepted(pid(1, 1), "v"), from: 2)
        #expect(node.receive(accepted(pid(1, 1), "v"), from: 3) == [])
        #expect(
            node.receive(accepted(pid(1, 1), "v"), from: 4) == [
                .resolved(Resolution(proposalID: pid(1, 1), value: "v"))
            ])
    }

    @Test func finalAcceptorsGrowAfterResolution() {
        var node = Node<String>(uid: 1, quorumSize: 2)
        _ = node.receive(accepted(pid(1, 2), "v"), from: 2)
        _ = node.receive(accepted(pid(1, 9), "other"), from: 9)
        #expect(
            node.receive(accepted(pid(1, 2), "v"), from: 3) == [
                .resolved(Resolution(proposalID: pid(1, 2), value: "v"))
            ])
        #expect(node.finalAcceptors == [2, 3])
        #expect(node.receive(accepted(pid(2, 4), "v"), from: 4) == [])
        #expect(node.receive(accepted(pid(3, 5), "not v"), from: 5) == [])
        #expect(node.finalAcceptors == [2, 3, 4])
    }

    @Test func acceptNacksForTheCurrentProposalAreCounted() {
        var node = Node<String>(uid: 1, quorumSize: 2)
        _ = node.prepare()
        _ = node.receive(.acceptNack(Nack(proposalID: pid(1, 1), promisedID: pid(2, 2))), from: 2)
        _ = node.receive(.acceptNack(Nack(proposalID: pid(0, 1), promisedID: pid(2, 2))), from: 3)
        #expect(node.acceptNacks == [2])
        _ = node.prepare()
        #expect(node.acceptNacks.isEmpty, "a new round starts with no NACKs")
    }
}
