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
        if let promised, ballot < promised {
            send(.nack(ballot: ballot, promised: promised), to: peer)
            return
        }
        if ballot > promised {
            // The accepted record below implies this promise; recovery restores it from there.
            promised = ballot
        }
        if peer != id {
            follow(peer, ballot: ballot, now: now)
        }
        var changed = false
        for (offset, value) in values.enumerated() {
            let slot = firstSlot + Slot(offset)
            let acceptedValue = AcceptedValue(ballot: ballot, value: value)
            if slot > commitIndex && accepted[slot] != acceptedValue {
                accepted[slot] = acceptedValue
                changed = true
            }
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
        if let promised, ballot < promised {
            send(.nack(ballot: ballot, promised: promised), to: peer)
            return
        }
        follow(peer, ballot: ballot, now: now)
        learnCommit(leaderCommit, ballot: ballot, leader: peer, now: now)
        send(.heartbeatReply(ballot: ballot, commitIndex: commitIndex, round: round), to: peer)
    }
}
