import PaxosCore
import PaxosProtocol

/// A replica that lost state never votes with amnesia.
///
/// Paxos is safe only while every acceptor keeps its promises and remembers what it accepted. A
/// replica whose journal is gone, cut short, restored from an older copy or damaged in its last
/// batch may have forgotten both; if it voted at once, it and the replicas that never saw those
/// values could form a majority that chooses something else for slots already chosen (a lost
/// acknowledged append). The caller detects the loss, writes `PersistRecord.recoveryStarted`, and
/// the replica recovers as a *non-voter*:
///
/// - It promises nothing, accepts nothing, grants no pre-vote and answers no heartbeat (those
///   answers confirm a leader's reads), so nothing it says can count toward a quorum.
/// - It follows the leader and learns the chosen prefix by catch-up: chosen values are facts, safe
///   to learn from anyone who knows them.
/// - After `recoveryWait` (longer than any candidacy that may still count a promise it forgot: a
///   candidate drops its promises at its election deadline), and once caught up with the leader or
///   when no leader is heard, it runs phase 1 itself with a fresh, higher ballot, asking only the
///   others. With promises from a majority of the others it writes
///   `.recoveryCompleted(ballot)`, votes again and leads that ballot, re-proposing what the
///   majority reported.
///
/// Why that is safe (the rule of Chandra et al., "Paxos Made Live", §5.1, for a replica with a
/// damaged disk: vote again only after a ballot begun after recovery started has completed):
/// - A value chosen with the forgotten vote was accepted by a quorum Q that includes this replica.
///   The recovery ballot's quorum R excludes it, so Q and R still share a replica that did not
///   forget; that replica accepted first and promised the recovery ballot after (the recovery
///   ballot did not exist before), so its promise reports the value, and the recovery leader
///   re-proposes it. Every later ballot then carries it, by Paxos's usual induction.
/// - A ballot p that counted a forgotten promise was begun before recovery started, so its
///   candidacy (and thus its phase 1) ended before `recoveryWait` ran out. Its promising quorum
///   shares a replica with R, which promised p before it promised the recovery ballot, so the
///   recovery ballot is higher than p, and the recovered replica never votes below it.
///
/// While a majority of the cluster is non-voting, no quorum can form and the cluster waits for a
/// member that remembers: unavailability, never a lost acknowledged entry.
extension Replica {
    /// The replica starts recovering from lost state at `now` (after `.recoveryStarted` was replayed).
    mutating func beginRecovery(now: ClockInstant) {
        recoveringSince = now
        recoveryAttemptAt = now + configuration.recoveryWait
    }

    /// The ballot below which a non-voter ignores leaders: its remembered promise, or the ballot it
    /// is running to become a voter again.
    var nonVoterFloor: Ballot? {
        guard let candidateBallot else { return promised }
        guard let promised else { return candidateBallot }
        return max(promised, candidateBallot)
    }

    /// A non-voter hears a leader (an accept or a heartbeat): it follows it and learns what is
    /// chosen, but vouches for nothing.
    mutating func listenAsNonVoter(ballot: Ballot, leaderCommit: Slot, from peer: NodeID, now: ClockInstant) {
        if let floor = nonVoterFloor, ballot < floor { return }
        follow(peer, ballot: ballot, now: now)
        learnCommit(leaderCommit, ballot: ballot, leader: peer, now: now)
    }

    /// Time passed for a non-voter: catch up, and once the wait is over run the recovery ballot.
    mutating func recoveryTick(now: ClockInstant) {
        if knownCommitIndex > commitIndex, let leader, hearsLiveLeader(now: now) {
            requestCatchUp(from: leader, now: now)
            return
        }
        // A learner (or a node no longer a member) votes in nothing: it has nothing to rebuild
        // before voting, and must not lead. It stays a non-voter, learning the log, until it is
        // promoted; then it runs its recovery ballot like any voter.
        guard now >= recoveryAttemptAt, isVotingMember else { return }
        recoveryAttemptAt = now + electionTimer.randomTimeout()
        startRecoveryBallot(now: now)
    }

    /// Phase 1 with a ballot higher than any seen, sent to the others only: this replica's own
    /// promise would be the one it cannot vouch for.
    mutating func startRecoveryBallot(now: ClockInstant) {
        let ballot = Ballot(number: max(highestBallotNumberSeen, promised?.number ?? 0) + 1, uid: id)
        observe(ballot)
        if role == .follower { setRole(.candidate, leader: nil, ballot: nil) }
        isPreVoting = false
        candidateBallot = ballot
        promisesReceived = [:]
        electionTimer.restart(now: now)
        broadcast(.prepare(ballot: ballot, fromSlot: commitIndex + 1), includingSelf: false)
    }

    /// A majority of the others promised the recovery ballot: from now on this replica votes, never
    /// below that ballot, and it leads it.
    mutating func completeRecovery(ballot: Ballot, now: ClockInstant) {
        // Higher than any ballot this replica saw: the promise rule grants it.
        _ = acceptor.receivePrepare(ballot)
        persist(.recoveryCompleted(ballot: ballot))
        recoveringSince = nil
        startChecked = true  // rebuilt from a majority: nothing of the older run counts any more
        output.append(.votingRestored(ballot: ballot))
        becomeLeader(now: now)
    }

    /// `peer` came back as a new incarnation (it lost state): a promise it gave this candidate
    /// before is one it no longer remembers, so it counts no more.
    public mutating func peerRestartedWithLostState(_ peer: NodeID) {
        promisesReceived[peer] = nil
    }
}
