import PaxosCore
import PaxosProtocol

/// The acceptor and follower side: accepts, heartbeats.
extension Replica {
    mutating func handleAccept(
        ballot: Ballot, firstSlot: Slot, values: [SlotValue], leaderCommit: Slot, from peer: NodeID, now: ClockInstant
    ) {
        observe(ballot)
        guard isVoter else {
            listenAsNonVoter(ballot: ballot, leaderCommit: leaderCommit, from: peer, now: now)
            return
        }
        // (A raised promise needs no record of its own: the accepted record below implies it, and
        // recovery restores it from there.)
        let verdict = acceptor.receiveAccept(ballot, firstSlot: firstSlot, values: values, decidedThrough: commitIndex)
        guard case .accepted(let changed) = verdict else {
            if case .refused(let promised) = verdict { send(.nack(ballot: ballot, promised: promised), to: peer) }
            return
        }
        if peer != id {
            follow(peer, ballot: ballot, now: now)
        }
        // A re-sent accept this acceptor already holds needs no second write: its reply waits
        // only for whatever is still on its way to disk.
        if changed {
            persist(.accepted(ballot: ballot, firstSlot: firstSlot, values: values))
        }
        sendWhenDurable(.accepted(ballot: ballot, firstSlot: firstSlot, count: values.count), to: peer)
        if peer != id {
            learnCommit(leaderCommit, ballot: ballot, leader: peer, now: now)
        }
    }

    mutating func handleHeartbeat(
        ballot: Ballot, leaderCommit: Slot, round: UInt64, from peer: NodeID, now: ClockInstant
    ) {
        observe(ballot)
        guard isVoter else {
            listenAsNonVoter(ballot: ballot, leaderCommit: leaderCommit, from: peer, now: now)
            return
        }
        if let promised = acceptor.refusal(of: ballot) {
            send(.nack(ballot: ballot, promised: promised), to: peer)
            return
        }
        follow(peer, ballot: ballot, now: now)
        learnCommit(leaderCommit, ballot: ballot, leader: peer, now: now)
        send(
            .heartbeatReply(
                ballot: ballot, commitIndex: commitIndex, round: round, boot: boot, heldAtStart: heldAtStart ?? 0,
                awaitingCheck: !startChecked),
            to: peer)
    }
}
