import PaxosCore
import Testing

/// The composable flavour (cocagne/python-composable-paxos, test_composable_paxos.py), as exact
/// sequences of the messages each call returns.
@Suite struct ComposableTests {
    typealias Proposer = Composable.Proposer<String>
    typealias Learner = Composable.Learner<String>

    func nack(_ id: ProposalID, promised: ProposalID) -> Nack { Nack(proposalID: id, promisedID: promised) }
    func promised(_ id: ProposalID, _ acceptedID: ProposalID? = nil, _ value: String? = nil) -> Promise<String> {
        Promise(proposalID: id, acceptedID: acceptedID, acceptedValue: value)
    }

    // MARK: Proposer: ids start at (0, uid)

    @Test func aProposerStartsAtProposalZero() {
        let proposer = Proposer(uid: 1, quorumSize: 2)
        #expect(proposer.proposalID == pid(0, 1))
        #expect(proposer.highestProposalID == pid(0, 1))
        #expect(!proposer.isLeader)
    }

    @Test func aLeaderGivenAValueProposesAtOnce() {
        var proposer = Proposer(uid: 1, quorumSize: 2)
        proposer.isLeader = true
        #expect(proposer.proposeValue("foo") == Accept(proposalID: pid(0, 1), value: "foo"))
        #expect(proposer.proposeValue("bar") == nil, "a value is set once")
        #expect(proposer.proposedValue == "foo")
    }

    @Test func aNonLeaderOnlyKeepsTheValue() {
        var proposer = Proposer(uid: 1, quorumSize: 2)
        #expect(proposer.proposeValue("foo") == nil)
        #expect(proposer.proposedValue == "foo")
    }

    @Test func preparesGoOneAboveTheHighestIDSeen() {
        var proposer = Proposer(uid: 1, quorumSize: 2)
        #expect(proposer.prepare() == Prepare(proposalID: pid(1, 1)))
        #expect(proposer.prepare() == Prepare(proposalID: pid(2, 1)))
        proposer.observeProposal(pid(5, 3))
        #expect(proposer.prepare() == Prepare(proposalID: pid(6, 1)))
    }

    // MARK: Proposer: promises (the core proposer's counting and adoption)

    @Test func aQuorumOfPromisesMakesLeaderAndReturnsTheAccept() {
        var proposer = Proposer(uid: 1, quorumSize: 2)
        _ = proposer.proposeValue("foo")
        #expect(proposer.prepare() == Prepare(proposalID: pid(1, 1)))
        #expect(proposer.receivePromise(promised(pid(1, 1)), from: 2) == nil)
        #expect(proposer.receivePromise(promised(pid(1, 1)), from: 2) == nil, "a duplicate does not count")
        #expect(!proposer.isLeader)
        #expect(proposer.receivePromise(promised(pid(1, 1)), from: 3) == Accept(proposalID: pid(1, 1), value: "foo"))
        #expect(proposer.isLeader)
        #expect(proposer.receivePromise(promised(pid(1, 1)), from: 4) == nil, "the accept is returned once")
    }

    @Test func promisesAdoptTheHighestAcceptedValueAcrossRounds() {
        // test_recv_promise_ignore_previous_proposal_value
        var proposer = Proposer(uid: 1, quorumSize: 3)
        _ = proposer.prepare()
        _ = proposer.prepare()
        #expect(proposer.prepare() == Prepare(proposalID: pid(3, 1)))
        #expect(proposer.receivePromise(promised(pid(3, 1), pid(1, 2), "foo"), from: 2) == nil)
        #expect(proposer.prepare() == Prepare(proposalID: pid(4, 1)))
        #expect(proposer.receivePromise(promised(pid(4, 1), pid(3, 2), "bar"), from: 2) == nil)
        #expect(proposer.receivePromise(promised(pid(4, 1), pid(2, 2), "baz"), from: 3) == nil)
        #expect(proposer.highestAcceptedID == pid(3, 2))
        #expect(proposer.proposedValue == "bar")
        #expect(proposer.receivePromise(promised(pid(4, 1)), from: 4) == Accept(proposalID: pid(4, 1), value: "bar"))
    }

    @Test func promisesBeforeTheFirstPrepareAndForOtherIDsAreIgnored() {
        var proposer = Proposer(uid: 1, quorumSize: 1)
        _ = proposer.proposeValue("foo")
        #expect(proposer.receivePromise(promised(pid(0, 1)), from: 2) == nil, "(0, n1) was never prepared")
        #expect(!proposer.isLeader)
        _ = proposer.prepare()
        #expect(proposer.receivePromise(promised(pid(1, 2)), from: 2) == nil, "n2's round")
        #expect(proposer.promisesReceived.isEmpty)
        #expect(proposer.prepare() == Prepare(proposalID: pid(2, 1)), "but n2's id is outbid")
    }

    // MARK: Proposer: a quorum of NACKs

    @Test func aQuorumOfNacksDropsLeadershipAndReturnsAPrepareAboveTheNackedID() {
        // test_nacks_pre_leader
        var proposer = Proposer(uid: 1, quorumSize: 2)
        #expect(proposer.prepare() == Prepare(proposalID: pid(1, 1)))
        proposer.isLeader = true
        #expect(proposer.receiveNack(nack(pid(1, 1), promised: pid(5, 2)), from: 2) == nil)
        #expect(proposer.isLeader)
        #expect(proposer.receiveNack(nack(pid(1, 1), promised: pid(5, 2)), from: 2) == nil, "a duplicate")
        #expect(proposer.isLeader)
        #expect(proposer.proposalID == pid(1, 1))
        #expect(proposer.receiveNack(nack(pid(1, 1), promised: pid(6, 2)), from: 3) == Prepare(proposalID: pid(7, 1)))
        #expect(!proposer.isLeader)
        #expect(proposer.proposalID == pid(7, 1))
        #expect(proposer.nacksReceived.isEmpty, "the new round starts with no NACKs")
    }

    @Test func aLeaderOvertakenDuringPhaseTwoPreparesAgain() {
        var proposer = Proposer(uid: 1, quorumSize: 2)
        _ = proposer.proposeValue("foo")
        _ = proposer.prepare()
        _ = proposer.receivePromise(promised(pid(1, 1)), from: 1)
        #expect(proposer.receivePromise(promised(pid(1, 1)), from: 2) == Accept(proposalID: pid(1, 1), value: "foo"))
        // n3 prepared (4, n3) at n2 and n3 before the accept arrived.
        #expect(proposer.receiveNack(nack(pid(1, 1), promised: pid(4, 3)), from: 2) == nil)
        #expect(proposer.receiveNack(nack(pid(1, 1), promised: pid(4, 3)), from: 3) == Prepare(proposalID: pid(5, 1)))
        #expect(!proposer.isLeader)
        #expect(proposer.receiveNack(nack(pid(1, 1), promised: pid(4, 3)), from: 1) == nil, "a NACK of the old round")
        #expect(proposer.receivePromise(promised(pid(1, 1)), from: 3) == nil, "a promise of the old round")
        #expect(!proposer.isLeader)
    }

    @Test func nacksOfOtherIDsOrBeforeAnyPrepareOnlyTeachTheNumber() {
        var proposer = Proposer(uid: 1, quorumSize: 1)
        #expect(proposer.receiveNack(nack(pid(0, 1), promised: pid(3, 2)), from: 2) == nil)
        #expect(proposer.prepare() == Prepare(proposalID: pid(4, 1)))
        #expect(proposer.receiveNack(nack(pid(2, 1), promised: pid(8, 2)), from: 2) == nil, "not the current id")
        #expect(proposer.proposalID == pid(4, 1))
        #expect(proposer.prepare() == Prepare(proposalID: pid(9, 1)))
    }

    // MARK: Learner

    @Test func aLearnerResolvesAndNamesTheFinalAcceptors() {
        var learner = Learner(quorumSize: 2)
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(1, 1), value: "foo"), from: 1) == nil)
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(1, 1), value: "foo"), from: 1) == nil, "duplicate")
        #expect(
            learner.receiveAccepted(Accepted(proposalID: pid(1, 1), value: "foo"), from: 2)
                == Resolution(proposalID: pid(1, 1), value: "foo"))
        #expect(learner.finalAcceptors == [1, 2])
    }

    @Test func aLearnerReturnsTheResolutionAgainForEveryLaterAcceptedMessage() {
        // test_ignore_after_resolution, and the chosen proposal reported by a third acceptor.
        let chosen = Resolution(proposalID: pid(1, 1), value: "foo")
        var learner = Learner(quorumSize: 2)
        _ = learner.receiveAccepted(Accepted(proposalID: pid(1, 1), value: "foo"), from: 1)
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(1, 1), value: "foo"), from: 2) == chosen)
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(1, 1), value: "foo"), from: 3) == chosen)
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(1, 1), value: "foo"), from: 3) == chosen)
        #expect(learner.finalAcceptors == [1, 2, 3])
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(5, 1), value: "bar"), from: 1) == chosen)
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(5, 1), value: "bar"), from: 2) == chosen)
        #expect(learner.resolution == chosen)
        #expect(learner.finalAcceptors == [1, 2, 3], "a different value does not make a final acceptor")
    }

    @Test func finalAcceptorsStartWithTheLatestVotersAndGrowWithLaterProposals() {
        // test_resolve_with_mixed_proposal_versions
        var learner = Learner(quorumSize: 2)
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(5, 1), value: "foo"), from: 1) == nil)
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(1, 1), value: "foo"), from: 2) == nil)
        let chosen = Resolution(proposalID: pid(1, 1), value: "foo")
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(1, 1), value: "foo"), from: 3) == chosen)
        #expect(learner.finalAcceptors == [2, 3])
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(5, 1), value: "foo"), from: 1) == chosen)
        #expect(learner.finalAcceptors == [1, 2, 3])
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(0, 9), value: "foo"), from: 4) == chosen)
        #expect(learner.finalAcceptors == [1, 2, 3], "a vote older than the chosen proposal proves nothing now")
    }

    @Test func aLearnerIgnoresOldVotesBeforeTheResolution() {
        // test_ignore_old_messages and test_overwrite_old_messages
        var learner = Learner(quorumSize: 2)
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(5, 1), value: "foo"), from: 1) == nil)
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(1, 1), value: "bar"), from: 1) == nil)
        #expect(learner.receiveAccepted(Accepted(proposalID: pid(1, 1), value: "bar"), from: 2) == nil)
        #expect(
            learner.receiveAccepted(Accepted(proposalID: pid(5, 1), value: "foo"), from: 2)
                == Resolution(proposalID: pid(5, 1), value: "foo"))
    }
}
