import PaxosCore
import Testing

/// The multi-slot acceptor: single-decree Paxos's promise and accept rules, for every slot at once.
@Suite struct MultiSlotAcceptorTests {
    let n1 = NodeID(1)
    let n2 = NodeID(2)

    @Test func aPromiseCoversEverySlotAndOnlyGoesUp() {
        var acceptor = MultiSlotAcceptor<String>()
        #expect(acceptor.receivePrepare(ProposalID(number: 2, uid: n1)) == .promised(raised: true))
        // The same prepare again (a lost reply): granted, nothing new to make durable.
        #expect(acceptor.receivePrepare(ProposalID(number: 2, uid: n1)) == .promised(raised: false))
        #expect(
            acceptor.receivePrepare(ProposalID(number: 1, uid: n2))
                == .refused(promised: ProposalID(number: 2, uid: n1)))
        // An accept below the promise is refused in any slot.
        let low = acceptor.receiveAccept(ProposalID(number: 1, uid: n2), firstSlot: 9, values: ["x"], decidedThrough: 0)
        #expect(low == .refused(promised: ProposalID(number: 2, uid: n1)))
        #expect(acceptor.votes.isEmpty)
    }

    @Test func anAcceptAtOrAboveThePromiseVotesInUndecidedSlotsAndRaisesThePromise() {
        var acceptor = MultiSlotAcceptor<String>()
        _ = acceptor.receivePrepare(ProposalID(number: 2, uid: n1))
        let higher = ProposalID(number: 3, uid: n2)
        let verdict = acceptor.receiveAccept(higher, firstSlot: 4, values: ["a", "b", "c"], decidedThrough: 4)
        #expect(verdict == .accepted(changed: true))
        #expect(acceptor.promised == higher)
        // Slot 4 was already decided: no vote there.
        #expect(acceptor.vote(at: 4) == nil)
        #expect(acceptor.votes(from: 1).map(\.slot) == [5, 6])
        // The same accept again changes nothing (nothing to write twice).
        #expect(
            acceptor.receiveAccept(higher, firstSlot: 4, values: ["a", "b", "c"], decidedThrough: 4)
                == .accepted(changed: false))
        acceptor.forget(slot: 5)
        #expect(acceptor.votes(from: 1).map(\.slot) == [6])
    }

    @Test func aRestoredPromiseNeverGoesDown() {
        var acceptor = MultiSlotAcceptor<String>()
        acceptor.restore(promise: ProposalID(number: 5, uid: n1))
        acceptor.restore(promise: ProposalID(number: 4, uid: n2))
        #expect(acceptor.promised == ProposalID(number: 5, uid: n1))
    }
}
