import PaxosCore
import PaxosProtocol

/// Leadership transfer: the leader hands over to a chosen member in about one round trip instead
/// of an election timeout (a rolling restart, taking a machine out of service).
///
/// The leader stops proposing new values, waits until everything it proposed is chosen and the
/// target has applied all of it (its heartbeat replies say how far it applied), then sends the
/// target `timeoutNow`. The target runs phase 1 at once, skipping the pre-vote (which the others
/// would refuse: they still hear a live leader). Nothing here bends a Paxos rule: the target's
/// ballot is simply higher, and every acceptor, the old leader included, promises it as it would
/// any higher ballot. Waiting for the target to catch up only makes its phase 1 short. If the
/// handover has not happened within one election timeout the leader gives up and goes on leading.
extension Replica {
    struct LeadershipTransfer: Sendable {
        var target: NodeID
        var ids: [UInt64]
        var deadline: ClockInstant
        var sent = false
    }

    /// A client (or the node, before it stops) asks this replica to hand leadership to `target`.
    /// Answered with `.transferOutcome(id, …)`: `.transferred` once the target's higher ballot
    /// reached this replica, `.notLeader` at once from any other replica, `.failed` when the
    /// target is not a member or did not take over within one election timeout.
    public mutating func requestTransfer(to target: NodeID, id requestID: UInt64, now: ClockInstant)
        -> [ReplicaAction]
    {
        run(now) { replica in replica.handleTransferRequest(to: target, id: requestID, now: now) }
    }

    /// The follower that applied the most, by its latest heartbeat reply (leader only): the
    /// natural successor when the leader stops.
    public var mostCaughtUpFollower: NodeID? {
        guard role == .leader else { return nil }
        return peers.max { (appliedBy[$0] ?? 0, $1.rawValue) < (appliedBy[$1] ?? 0, $0.rawValue) }
    }

    /// True while this leader holds back new proposals for a handover.
    public var isTransferring: Bool { transfer != nil }

    mutating func handleTransferRequest(to target: NodeID, id requestID: UInt64, now: ClockInstant) {
        guard role == .leader else {
            output.append(.transferOutcome(id: requestID, .notLeader(leader: role == .follower ? leader : nil)))
            return
        }
        if target == id {
            output.append(.transferOutcome(id: requestID, .transferred(to: id)))
            return
        }
        guard membership.isVoter(target) else {
            let reason =
                membership.contains(target)
                ? "node \(target.rawValue) is a learner: promote it first" : "node \(target.rawValue) is not a member"
            output.append(.transferOutcome(id: requestID, .failed(reason)))
            return
        }
        guard membershipChange == nil else {
            output.append(.transferOutcome(id: requestID, .failed("a membership change is under way")))
            return
        }
        if var ongoing = transfer {
            guard ongoing.target == target else {
                output.append(
                    .transferOutcome(
                        id: requestID, .failed("a handover to node \(ongoing.target.rawValue) is under way")))
                return
            }
            ongoing.ids.append(requestID)
            transfer = ongoing
            return
        }
        transfer = LeadershipTransfer(target: target, ids: [requestID], deadline: now + configuration.electionTimeout)
        // The target's next heartbeat reply says how far it applied; ask for one now.
        sendHeartbeat(now: now)
        continueTransfer(now: now)
    }

    /// Sends `timeoutNow` once nothing is in flight and the target applied everything; gives up
    /// after the deadline. Called on every tick, acknowledgement and heartbeat reply.
    mutating func continueTransfer(now: ClockInstant) {
        guard var ongoing = transfer, role == .leader, let ballot = candidateBallot else { return }
        if now >= ongoing.deadline {
            finishTransfer(
                .failed("node \(ongoing.target.rawValue) did not take over within \(configuration.electionTimeout)"))
            proposeQueued(now: now)
            return
        }
        guard !ongoing.sent, inFlight.isEmpty, (appliedBy[ongoing.target] ?? 0) >= commitIndex else { return }
        ongoing.sent = true
        transfer = ongoing
        send(.timeoutNow(ballot: ballot), to: ongoing.target)
    }

    /// The leader of `ballot` hands over to this replica: run phase 1 now.
    mutating func handleTimeoutNow(ballot: Ballot, from peer: NodeID, now: ClockInstant) {
        guard isVoter, isVotingMember, role == .follower, leader == peer, leaderBallot == ballot,
            !withholdsVotes(now: now)
        else {
            return
        }
        setRole(.candidate, leader: nil, ballot: nil)
        preVoteGrants = []
        startPhase1(now: now)
    }

    /// Answers every request of the transfer under way, and ends it.
    mutating func finishTransfer(_ outcome: TransferOutcome) {
        guard let ongoing = transfer else { return }
        for requestID in ongoing.ids {
            output.append(.transferOutcome(id: requestID, outcome))
        }
        transfer = nil
    }
}
