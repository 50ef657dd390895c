import PaxosCore
import PaxosProtocol

/// The membership changed through the log: learners added, promoted, members removed.
///
/// The rule, and why it is safe (a form of Lamport, Malkhi and Zhou's "stoppable Paxos", with
/// Raft's single-server changes):
/// 1. A membership chosen at slot `s` governs the slots after `s`; the slots up to `s` are decided
///    under the membership before it.
/// 2. **One change at a time, changing the voters by at most one.** Every majority of the old
///    voters then shares a member with every majority of the new.
/// 3. **Nothing is proposed after a membership slot until it is chosen** (the leader drains its
///    pipeline, proposes the change alone, and waits), and **a leader that applies a membership
///    slot runs phase 1 again** under the new voters before it proposes anything after it. So the
///    slots after `s` are only ever decided by ballots whose phase 1 was won under the new voters.
/// 4. A new leader that finds a membership value among the reports of its phase 1 re-proposes the
///    reports only up to that slot; once it is chosen, rule 3 runs phase 1 again.
///
/// A candidate knows the membership through its commit index. If a later membership slot `s` was
/// chosen, it was chosen by a majority of the voters the candidate knows (rule 1), which shares a
/// member with the candidate's promises, so the candidate finds it (rule 4) and decides nothing
/// after it under the old voters. Values chosen after `s` were chosen under the new voters by a
/// ballot that won phase 1 there (rule 3); the candidate's next phase 1, under the new voters,
/// meets them (rule 2 for the membership after that, and so on one change at a time).
///
/// A learner accepts, acknowledges and promises like a voter (so it keeps up, and so a node
/// promoted before it learned so still answers the candidates that know), but no leader or
/// candidate counts a node that is not a voter of the membership it knows, and a learner never
/// stands for election.
extension Replica {
    /// The change under way at the leader: what it will be, who asked, and the slot it was
    /// proposed in (nil until the pipeline has drained).
    struct PendingMembershipChange: Sendable {
        var target: Membership
        var ids: [UInt64]
        var slot: Slot?
    }

    /// Whether this replica is a voter of the membership it knows.
    public var isVotingMember: Bool { membership.isVoter(id) }

    /// Asks the leader to change the membership; answered by `.membershipOutcome(id:)` once the
    /// change is chosen (or at once when refused).
    public mutating func requestMembershipChange(_ change: MembershipChange, id requestID: UInt64, now: ClockInstant)
        -> [ReplicaAction]
    {
        run(now) { replica in replica.handleMembershipChange(change, id: requestID, now: now) }
    }

    mutating func handleMembershipChange(_ change: MembershipChange, id requestID: UInt64, now: ClockInstant) {
        guard role == .leader else {
            output.append(
                .membershipOutcome(id: requestID, .notLeader(leader: role == .follower ? leader : nil)))
            return
        }
        if let pending = membershipChange {
            // The same change asked again (a retry) waits with it; another is refused.
            guard case .success(pending.target) = membership.applying(change) else {
                output.append(.membershipOutcome(id: requestID, .refused("another membership change is under way")))
                return
            }
            membershipChange?.ids.append(requestID)
            return
        }
        switch refusal(of: change, now: now) {
        case .some(let reason):
            output.append(.membershipOutcome(id: requestID, .refused(reason)))
        case .none:
            guard case .success(let target) = membership.applying(change) else { return }
            membershipChange = PendingMembershipChange(target: target, ids: [requestID], slot: nil)
            proposeMembershipChangeIfDrained(now: now)
        }
    }

    /// Why the leader will not make `change` now, or nil.
    func refusal(of change: MembershipChange, now: ClockInstant) -> String? {
        if transfer != nil { return "a leadership transfer is under way" }
        let target: Membership
        switch membership.applying(change) {
        case .failure(let refusal): return refusal.reason
        case .success(let next): target = next
        }
        switch change {
        case .remove(let node) where node == id:
            return "node \(id.rawValue) leads: hand leadership to another voter first (cluster transfer-leader)"
        case .promote(let node):
            // Caught up: within one pipeline of the commit index, as its last heartbeat reply
            // said (under steady appends a learner is never exactly level). Not a safety matter:
            // a voter far behind would only slow every commit while it catches up.
            guard let applied = appliedBy[node],
                lastReplyFrom[node].map({ now - $0 <= configuration.heartbeatPeriod * 3 }) ?? false
            else {
                return "node \(node.rawValue) is not answering this leader; start it, let it catch up, and try again"
            }
            if applied + Slot(configuration.maxSlotsInFlight) < commitIndex {
                return "node \(node.rawValue) is not caught up (applied slot \(applied) of \(commitIndex)); try again"
            }
        default:
            break
        }
        // The new voters must be able to choose: enough of them answered the last heartbeats.
        let running = target.voters.filter { voter in
            voter == id || lastReplyFrom[voter].map { now - $0 <= configuration.heartbeatPeriod * 3 } ?? false
        }
        if running.count < target.quorumSize {
            return "the new voters (\(target.voters.map { String($0.rawValue) }.joined(separator: ", "))) would have "
                + "\(running.count) running, fewer than the \(target.quorumSize) a quorum needs"
        }
        return nil
    }

    /// Proposes the pending change once every slot before it is chosen (rule 3).
    mutating func proposeMembershipChangeIfDrained(now: ClockInstant) {
        guard role == .leader, let pending = membershipChange, pending.slot == nil, inFlight.isEmpty,
            commitIndex >= takeoverSlot
        else { return }
        membershipChange?.slot = nextSlot
        propose([.membership(pending.target)], now: now)
    }

    /// True while the leader may not propose new slots: a membership change waits for the
    /// pipeline to drain, or is in flight.
    var membershipChangeBlocksProposals: Bool {
        membershipChange != nil || inFlight.values.contains { if case .membership = $0.value { true } else { false } }
    }

    /// Answers every request of the pending change with `outcome`, and drops it.
    mutating func finishMembershipChange(_ outcome: MembershipOutcome) {
        guard let pending = membershipChange else { return }
        for requestID in pending.ids {
            output.append(.membershipOutcome(id: requestID, outcome))
        }
        membershipChange = nil
    }

    /// A chosen membership applies at `slot`: it governs the slots after it.
    mutating func applyMembership(_ agreed: Membership, at slot: Slot) {
        // A removed member is no longer a peer, so nothing would tell it: the leader heartbeats
        // it for a while more, and it catches up to the slot that removed it.
        for gone in membership.ids where !agreed.contains(gone) && gone != id {
            departed[gone] = (slot, 200)
        }
        for member in agreed.ids { departed[member] = nil }
        adopt(agreed)
        if role == .candidate, !isPreVoting, candidateBallot != nil, isVoter {
            // A candidate that learned a membership mid-phase-1 (by catch-up) starts over, under
            // the voters it now knows, at its next deadline.
            candidateBallot = nil
            promisesReceived = [:]
        }
        output.append(.membershipChanged(agreed, slot: slot))
        if let pending = membershipChange, pending.slot == slot {
            finishMembershipChange(
                pending.target == agreed ? .changed(agreed, slot: slot) : .refused("another membership was chosen"))
        }
    }

    /// The leader applied a membership slot: rule 3.
    mutating func leaderAppliedMembership(now: ClockInstant) {
        guard role == .leader else { return }
        if !isVotingMember {
            // Removed (not as leader: that is refused, but a leader may apply one it re-proposed).
            stepDown(now: now, newLeader: nil)
            return
        }
        // Rule 3: phase 1 again, under the new voters, before anything after this slot.
        setRole(.candidate, leader: nil, ballot: nil)
        startPhase1(now: now)
    }

    /// Rule 4 drops the reports after a membership slot from this ballot, but they are facts the
    /// next phase 1 must still see: a value chosen there may be held by no member of the next
    /// quorum but one of this one (after a member lost state and rebuilt through this very
    /// ballot, `Replica+Amnesia.swift`, nobody else may hold it). So the leader keeps each in its
    /// own acceptor, durably, with the ballot it was reported under (a value known chosen under
    /// this ballot: chosen values are safe at any ballot), unless it holds one at least as high.
    /// Its own promise in the next phase 1 then reports them, as any acceptor's would.
    mutating func keepReports(_ reports: [Slot: SlotReport], ballot: Ballot) {
        for slot in reports.keys.sorted() {
            guard let report = reports[slot] else { continue }
            let reported = report.ballot ?? ballot
            if let mine = acceptor.vote(at: slot), mine.ballot >= reported { continue }
            acceptor.restore(AcceptedValue(ballot: reported, value: report.value), at: slot)
            persist(.accepted(ballot: reported, firstSlot: slot, values: [report.value]))
        }
    }

    /// Members that left and that this replica, as leader, still heartbeats until they say they
    /// applied their removal: the node keeps its links to them meanwhile. Also while it is a
    /// candidate (a leader that applies a membership runs phase 1 again, and then goes on
    /// heartbeating them); empty on a follower, which tells them nothing (and never counts its
    /// list down).
    public var departedMembers: Set<NodeID> { role == .follower ? [] : Set(departed.keys) }

    /// Heartbeats to the members that left and have not yet said they applied their removal.
    mutating func heartbeatDeparted(_ message: ReplicaMessage) {
        for (node, state) in departed.sorted(by: { $0.key < $1.key }) {
            send(message, to: node)
            departed[node] = state.heartbeatsLeft > 1 ? (state.slot, state.heartbeatsLeft - 1) : nil
        }
    }

    /// A member that left answered a heartbeat: once it has applied its removal, it knows.
    mutating func departedApplied(_ node: NodeID, through commit: Slot) {
        if let state = departed[node], commit >= state.slot { departed[node] = nil }
    }

    /// Takes `agreed` as the membership (from the log, a checkpoint or a base).
    mutating func adopt(_ agreed: Membership) {
        membership = agreed
        membershipChanged = true
        peers = agreed.ids.filter { $0 != id }
    }
}
