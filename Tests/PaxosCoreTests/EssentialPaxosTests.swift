import PaxosCore
import Testing

/// The textbook roles, one rule at a time, with the exact messages they produce.
@Suite struct EssentialPaxosTests {
    let p1 = ProposalID(number: 1, uid: 1)
    let p2 = ProposalID(number: 2, uid: 1)

    // MARK: ProposalID

    @Test func proposalIDsOrderByNumberThenNode() {
        #expect(ProposalID(number: 1, uid: 9) < ProposalID(number: 2, uid: 1))
        #expect(ProposalID(number: 2, uid: 1) < ProposalID(number: 2, uid: 2))
        #expect(ProposalID(number: 3, uid: 3) == ProposalID(number: 3, uid: 3))
        #expect(
            [ProposalID(number: 2, uid: 2), ProposalID(number: 1, uid: 3), ProposalID(number: 2, uid: 1)].sorted()
                == [ProposalID(number: 1, uid: 3), ProposalID(number: 2, uid: 1), ProposalID(number: 2, uid: 2)])
    }

    // MARK: Proposer

    @Test func prepareIssuesIncreasingIDs() {
        var proposer = Proposer<String>(uid: 7, quorumSize: 2)
        #expect(proposer.prepare() == Prepare(proposalID: ProposalID(number: 1, uid: 7)))
        #expect(proposer.prepare() == Prepare(proposalID: ProposalID(number: 2, uid: 7)))
    }

    @Test func proposalIsSetOnlyOnce() {
        var proposer = Proposer<String>(uid: 1, quorumSize: 2)
        proposer.setProposal("a")
        proposer.setProposal("b")
        #expect(proposer.proposedValue == "a")
    }

    @Test func quorumOfPromisesSendsOwnValueWhenNothingAccepted() {
        var proposer = Proposer<String>(uid: 1, quorumSize: 2)
        proposer.setProposal("mine")
        let prepare = proposer.prepare()
        let promise = Promise<String>(proposalID: prepare.proposalID, acceptedID: nil, acceptedValue: nil)
        #expect(proposer.receivePromise(promise, from: 1) == nil)
        #expect(proposer.receivePromise(promise, from: 1) == nil, "a duplicate promise does not count twice")
        #expect(proposer.receivePromise(promise, from: 2) == Accept(proposalID: prepare.proposalID, value: "mine"))
        #expect(proposer.receivePromise(promise, from: 3) == nil, "the accept is sent once, at the quorum")
    }

    @Test func adoptsValueOfHighestAcceptedProposal() {
        var proposer = Proposer<String>(uid: 3, quorumSize: 3)
        proposer.setProposal("mine")
        _ = proposer.prepare()
        let prepare = proposer.prepare()  // (2, n3)
        let id = prepare.proposalID
        let low = ProposalID(number: 1, uid: 1)
        let high = ProposalID(number: 1, uid: 2)
        #expect(proposer.receivePromise(Promise(proposalID: id, acceptedID: low, acceptedValue: "low"), from: 1) == nil)
        #expect(
            proposer.receivePromise(Promise(proposalID: id, acceptedID: high, acceptedValue: "high"), from: 2) == nil)
        let accept = proposer.receivePromise(Promise(proposalID: id, acceptedID: nil, acceptedValue: nil), from: 4)
        #expect(accept == Accept(proposalID: id, value: "high"))
        #expect(proposer.highestAcceptedID == high)
    }

    @Test func ignoresPromisesForOtherRounds() {
        var proposer = Proposer<String>(uid: 1, quorumSize: 1)
        proposer.setProposal("v")
        _ = proposer.prepare()
        let stale = Promise<String>(proposalID: ProposalID(number: 9, uid: 2), acceptedID: nil, acceptedValue: nil)
        #expect(proposer.receivePromise(stale, from: 2) == nil)
        #expect(proposer.promisesReceived.isEmpty)
    }

    @Test func quorumWithoutValueSendsNothing() {
        var proposer = Proposer<String>(uid: 1, quorumSize: 1)
        let prepare = proposer.prepare()
        #expect(
            proposer.receivePromise(
                Promise(proposalID: prepare.proposalID, acceptedID: nil, acceptedValue: nil), from: 2) == nil)
        #expect(proposer.hasQuorumOfPromises)
    }

    // MARK: Acceptor

    @Test func acceptorPromisesOnHigherOrEqualPrepareOnly() {
        var acceptor = Acceptor<String>()
        #expect(
            acceptor.receivePrepare(Prepare(proposalID: p2))
                == Promise(proposalID: p2, acceptedID: nil, acceptedValue: nil))
        #expect(
            acceptor.receivePrepare(Prepare(proposalID: p2))
                == Promise(proposalID: p2, acceptedID: nil, acceptedValue: nil),
            "a duplicate prepare gets the same promise again")
        #expect(acceptor.receivePrepare(Prepare(proposalID: p1)) == nil)
        #expect(acceptor.promisedID == p2)
    }

    @Test func acceptorAcceptsAtOrAbovePromiseAndReportsItInLaterPromises() {
        var acceptor = Acceptor<String>()
        _ = acceptor.receivePrepare(Prepare(proposalID: p2))
        #expect(acceptor.receiveAccept(Accept(proposalID: p1, value: "old")) == nil)
        #expect(acceptor.receiveAccept(Accept(proposalID: p2, value: "x")) == Accepted(proposalID: p2, value: "x"))
        let p3 = ProposalID(number: 3, uid: 2)
        #expect(
            acceptor.receivePrepare(Prepare(proposalID: p3))
                == Promise(proposalID: p3, acceptedID: p2, acceptedValue: "x"))
        #expect(acceptor.state == AcceptorState(promisedID: p3, acceptedID: p2, acceptedValue: "x"))
    }

    @Test func acceptorAcceptsAboveItsPromiseWithoutAPrepare() {
        var acceptor = Acceptor<String>(state: AcceptorState(promisedID: p1))
        #expect(acceptor.receiveAccept(Accept(proposalID: p2, value: "y")) == Accepted(proposalID: p2, value: "y"))
        #expect(acceptor.promisedID == p2)
    }

    // MARK: Learner

    @Test func learnerResolvesAtQuorumAndIgnoresTheRest() {
        var learner = Learner<String>(quorumSize: 2)
        #expect(learner.receiveAccepted(Accepted(proposalID: p1, value: "v"), from: 1) == nil)
        #expect(learner.receiveAccepted(Accepted(proposalID: p1, value: "v"), from: 1) == nil, "duplicate vote")
        #expect(!learner.isComplete)
        #expect(
            learner.receiveAccepted(Accepted(proposalID: p1, value: "v"), from: 2)
                == Resolution(proposalID: p1, value: "v"))
        #expect(learner.receiveAccepted(Accepted(proposalID: p2, value: "w"), from: 3) == nil)
        #expect(learner.resolution == Resolution(proposalID: p1, value: "v"))
    }

    @Test func learnerIgnoresOldVotesAndMovesVotesToNewerProposals() {
        var learner = Learner<String>(quorumSize: 2)
        #expect(learner.receiveAccepted(Accepted(proposalID: p2, value: "new"), from: 1) == nil)
        #expect(learner.receiveAccepted(Accepted(proposalID: p1, value: "old"), from: 1) == nil, "older than n1's vote")
        #expect(learner.receiveAccepted(Accepted(proposalID: p1, value: "old"), from: 2) == nil)
        // n2 moves its vote from p1 to p2: p2 now has a quorum.
        #expect(
            learner.receiveAccepted(Accepted(proposalID: p2, value: "new"), from: 2)
                == Resolution(proposalID: p2, value: "new"))
        #expect(learner.latestVotes == [1: p2, 2: p2])
    }

    @Test func learnerCountsEveryAcceptorThatEverAcceptedAProposal() {
        var learner = Learner<String>(quorumSize: 3)
        #expect(learner.receiveAccepted(Accepted(proposalID: p1, value: "v"), from: 1) == nil)
        #expect(learner.receiveAccepted(Accepted(proposalID: p1, value: "v"), from: 2) == nil)
        #expect(learner.receiveAccepted(Accepted(proposalID: p2, value: "v"), from: 1) == nil)
        // n1 accepted p1 before moving on to p2, so p1 was accepted by n1, n2 and now n3: chosen.
        #expect(
            learner.receiveAccepted(Accepted(proposalID: p1, value: "v"), from: 3)
                == Resolution(proposalID: p1, value: "v"))
    }

    @Test func learnerRefusesADifferentValueUnderTheSameProposal() {
        var learner = Learner<String>(quorumSize: 2)
        _ = learner.receiveAccepted(Accepted(proposalID: p1, value: "v"), from: 1)
        #expect(learner.receiveAccepted(Accepted(proposalID: p1, value: "forged"), from: 2) == nil)
        #expect(learner.latestVotes[2] == nil)
    }
}
