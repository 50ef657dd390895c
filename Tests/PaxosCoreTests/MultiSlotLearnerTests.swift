import PaxosCore
import Testing

/// The multi-slot learner: a value accepted under one ballot by a quorum is chosen, per slot, and
/// chosen values leave in slot order.
@Suite struct MultiSlotLearnerTests {
    /// Voters n1, n2 and n3 (a majority is two); n4 is a member that votes in nothing.
    static let voters: Set<NodeID> = [1, 2, 3]
    func majority(_ nodes: Set<NodeID>) -> Bool { nodes.intersection(Self.voters).count >= 2 }

    let b1 = pid(1, 1)
    let b2 = pid(2, 2)

    @Test func acksFromFewerThanAQuorumChooseNothing() {
        var learner = MultiSlotLearner<String>()
        #expect(learner.receiveAccepted(Vote(ballot: b1, value: "a"), at: 1, from: 1, isQuorum: majority) == nil)
        #expect(learner.receiveAccepted(Vote(ballot: b1, value: "a"), at: 1, from: 4, isQuorum: majority) == nil)
        #expect(learner.resolution(at: 1) == nil, "n4 is no voter: one voter of three")
        #expect(learner.takeChosen(after: 0).isEmpty)
        #expect(
            learner.receiveAccepted(Vote(ballot: b1, value: "a"), at: 1, from: 2, isQuorum: majority)
                == Resolution(proposalID: b1, value: "a"))
        #expect(learner.takeChosen(after: 0).map(\.slot) == [1])
        #expect(learner.isEmpty)
    }

    @Test func acksUnderDifferentBallotsDoNotAddUp() {
        var learner = MultiSlotLearner<String>()
        #expect(learner.receiveAccepted(Vote(ballot: b1, value: "a"), at: 3, from: 1, isQuorum: majority) == nil)
        #expect(
            learner.receiveAccepted(Vote(ballot: b2, value: "a"), at: 3, from: 2, isQuorum: majority) == nil,
            "the same value, but under another ballot")
        #expect(learner.voters(at: 3, ballot: b1) == [1])
        #expect(learner.voters(at: 3, ballot: b2) == [2])
        #expect(learner.resolution(at: 3) == nil)
        // n1 moves to b2: now two voters accepted under one ballot.
        #expect(
            learner.receiveAccepted(Vote(ballot: b2, value: "a"), at: 3, from: 1, isQuorum: majority)
                == Resolution(proposalID: b2, value: "a"))
    }

    @Test func aDuplicateAckCountsOnce() {
        var learner = MultiSlotLearner<String>()
        #expect(learner.receiveAccepted(Vote(ballot: b1, value: "a"), at: 1, from: 1, isQuorum: majority) == nil)
        #expect(learner.receiveAccepted(Vote(ballot: b1, value: "a"), at: 1, from: 1, isQuorum: majority) == nil)
        #expect(learner.voters(at: 1, ballot: b1) == [1])
        #expect(learner.resolution(at: 1) == nil)
    }

    @Test func aDifferentValueUnderTheSameBallotIsNotCounted() {
        var learner = MultiSlotLearner<String>()
        _ = learner.receiveAccepted(Vote(ballot: b1, value: "a"), at: 1, from: 1, isQuorum: majority)
        #expect(learner.receiveAccepted(Vote(ballot: b1, value: "forged"), at: 1, from: 2, isQuorum: majority) == nil)
        #expect(learner.voters(at: 1, ballot: b1) == [1])
        #expect(learner.latestVotes(at: 1) == [1: b1])
    }

    @Test func slotsAreCountedApart() {
        var learner = MultiSlotLearner<String>()
        _ = learner.receiveAccepted(Vote(ballot: b1, value: "a"), at: 1, from: 1, isQuorum: majority)
        #expect(
            learner.receiveAccepted(Vote(ballot: b1, value: "b"), at: 2, from: 2, isQuorum: majority) == nil,
            "n1's vote in slot 1 is no vote in slot 2")
        #expect(learner.resolution(at: 1) == nil)
        #expect(learner.resolution(at: 2) == nil)
    }

    @Test func theChosenPrefixLeavesInOrderAndStopsAtAGap() {
        var learner = MultiSlotLearner<String>()
        func ack(_ slot: UInt64, _ value: String, from voter: NodeID) -> Resolution<String>? {
            learner.receiveAccepted(Vote(ballot: b1, value: value), at: slot, from: voter, isQuorum: majority)
        }
        for (slot, value) in [(1, "a"), (2, "b"), (3, "c"), (5, "e")] as [(UInt64, String)] {
            _ = ack(slot, value, from: 1)
        }
        _ = ack(4, "d", from: 1)
        // Slots 2, 3 and 5 are chosen before slot 1: nothing leaves while slot 1 is open.
        #expect(ack(2, "b", from: 2) == Resolution(proposalID: b1, value: "b"))
        #expect(ack(3, "c", from: 3) == Resolution(proposalID: b1, value: "c"))
        #expect(ack(5, "e", from: 2) == Resolution(proposalID: b1, value: "e"))
        #expect(learner.takeChosen(after: 0).isEmpty)
        #expect(ack(1, "a", from: 3) == Resolution(proposalID: b1, value: "a"))
        // 1, 2, 3 leave in order; 4 is not chosen, so 5 waits behind it.
        let taken = learner.takeChosen(after: 0)
        #expect(taken.map(\.slot) == [1, 2, 3])
        #expect(taken.map(\.value) == ["a", "b", "c"])
        #expect(learner.takeChosen(after: 3).isEmpty)
        #expect(learner.resolution(at: 5) == Resolution(proposalID: b1, value: "e"))
        #expect(ack(4, "d", from: 2) == Resolution(proposalID: b1, value: "d"))
        #expect(learner.takeChosen(after: 3).map(\.slot) == [4, 5])
        #expect(learner.isEmpty)
    }

    @Test func acksAfterTheChoiceAreStillRecordedButChooseNothingAgain() {
        // A leader re-sends a slot only to the acceptors that have not acknowledged it: one that
        // acknowledges after the slot was chosen must not be sent it again.
        var learner = MultiSlotLearner<String>()
        _ = learner.receiveAccepted(Vote(ballot: b1, value: "a"), at: 7, from: 1, isQuorum: majority)
        _ = learner.receiveAccepted(Vote(ballot: b1, value: "a"), at: 7, from: 2, isQuorum: majority)
        #expect(learner.receiveAccepted(Vote(ballot: b1, value: "a"), at: 7, from: 3, isQuorum: majority) == nil)
        #expect(learner.voters(at: 7, ballot: b1) == [1, 2, 3])
        #expect(learner.voters(at: 7, ballot: b2) == [])
        #expect(learner.latestVotes(at: 7) == [1: b1, 2: b1], "as counted until the choice")
        #expect(learner.resolution(at: 7) == Resolution(proposalID: b1, value: "a"))
    }
}
