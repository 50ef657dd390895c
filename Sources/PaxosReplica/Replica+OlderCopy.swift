import PaxosCore
import PaxosProtocol

/// A follower that starts holding less than it acknowledged before lost state: most likely its
/// data directory was restored from an older copy, which it cannot notice itself (the copy is
/// consistent).
///
/// An acceptor acknowledges an accept only once the value is on its disk, and never drops an
/// accepted value except by learning the slot chosen (which its log then holds), so what it holds
/// when it starts is at least everything it ever acknowledged. The leader remembers the highest
/// slot each follower acknowledged to it (under any of its ballots: a step-down and re-election
/// keep it). When the follower reconnects, the leader sets
/// that aside with the run (`boot`) the follower last said it was; the follower's next heartbeat
/// reply says which run it is now and what it held when that run started. A new run that started
/// with less than the old one acknowledged lost state: the leader tells it, and it starts the
/// recovery of `Replica+Amnesia.swift` (a non-voter until a ballot begun after it completes), as if
/// it had found the loss at start. (A mere reconnection of the same run is no restart, and is not
/// compared: what a run held at its start says nothing of what it acknowledged since.)
///
/// A run votes for nobody before that check: until a leader answers its heartbeat reply with
/// `startChecked` (or `stateLost`), it grants no pre-vote, makes no promise and stands for no
/// election while it hears a live leader or is within its first election timeout. Without this
/// the restored node could be counted by an election held before its leader heard from it (a
/// follower cut off from the leader runs, and the restored node is the majority it needs).
///
/// What this does not catch: a copy restored while the node it acknowledged is not the leader
/// and has not led since (a leader knows only what it was acknowledged itself), or is gone for
/// good. Nothing left in the cluster then knows what the node acknowledged (its own disk was the
/// record), so it votes once its first election timeout passes with no leader heard. Restoring a
/// data directory from a backup is therefore not a way to repair a node; delete it instead
/// (`Replica+Amnesia.swift` rebuilds an empty one safely).
extension Replica {
    /// The highest slot this replica holds a value for, chosen or accepted.
    var heldThrough: Slot { max(commitIndex, acceptor.votes.keys.max() ?? 0) }

    /// `peer` connected again (the caller's transport saw a new connection from it): its next
    /// heartbeat reply may come from a new run, to be compared with what it acknowledged so far.
    /// Recorded in any role: a leader that stepped down and is re-elected still compares.
    public mutating func peerReconnected(_ peer: NodeID) {
        guard let boot = bootOf[peer] else { return }
        // Several connections before its next reply (a flapping link, two restarts): what it
        // acknowledged before any of them still counts.
        let pending = reconnected[peer]?.acknowledged ?? 0
        reconnected[peer] = (boot, max(pending, acknowledgedBy[peer] ?? 0))
        acknowledgedBy[peer] = 0
    }

    /// The leader hears which run `peer` is and what it held when it started; a run that awaits
    /// its check gets the verdict (again, if an earlier answer was lost).
    mutating func checkStart(of peer: NodeID, boot: UInt64, heldAtStart: Slot, awaitingCheck: Bool) {
        guard role == .leader, let ballot = candidateBallot else { return }
        guard !(retiredBoots[peer]?.contains(boot) ?? false) else { return }  // a late reply of an older run
        if let previous = bootOf[peer], previous != boot {
            retiredBoots[peer, default: []].append(previous)
            if (retiredBoots[peer]?.count ?? 0) > 16 { retiredBoots[peer]?.removeFirst() }
        }
        bootOf[peer] = boot
        if let before = reconnected.removeValue(forKey: peer), before.boot != boot,
            heldAtStart < before.acknowledged
        {
            lostRuns[peer] = (boot, before.acknowledged)
            output.append(.peerLostState(peer, acknowledgedThrough: before.acknowledged, heldThrough: heldAtStart))
            // Told even if another leader checked this run already: it knew less than this one.
            send(.stateLost(ballot: ballot, acknowledgedThrough: before.acknowledged), to: peer)
        } else if awaitingCheck {
            if let lost = lostRuns[peer], lost.boot == boot {
                send(.stateLost(ballot: ballot, acknowledgedThrough: lost.acknowledged), to: peer)
            } else {
                send(.startChecked(ballot: ballot), to: peer)
            }
        }
    }

    /// This replica's leader found nothing missing from this run's start.
    mutating func handleStartChecked(ballot: Ballot, from peer: NodeID) {
        guard isVoter, leader == peer, leaderBallot == ballot else { return }
        startChecked = true
    }

    /// True while this run may not vote (grant a pre-vote, promise, run for leader, take over on
    /// a handover): its start is unchecked and a leader may still check it, because one is heard
    /// or the run is within its first election timeout (time for a leader's heartbeat to arrive).
    /// Also true while a replica that lost chosen slots from its log store has not learned them
    /// again (`Replica+StoreRepair.swift`).
    public func withholdsVotes(now: ClockInstant) -> Bool {
        if isVoter && commitIndex < votesHeldUntil { return true }
        return isVoter && !startChecked
            && (now - startedAt < configuration.electionTimeout || hearsLiveLeader(now: now))
    }

    /// This replica's leader says it acknowledged slots that this run did not start with. (It may
    /// hold them by now, from catch-up; not the promises it forgot, so it recovers anyway.)
    mutating func handleStateLost(ballot: Ballot, acknowledgedThrough: Slot, from peer: NodeID, now: ClockInstant) {
        guard isVoter, leader == peer, leaderBallot == ballot else { return }
        persist(.recoveryStarted)
        beginRecovery(now: now)
        output.append(
            .lostStateReported(by: peer, acknowledgedThrough: acknowledgedThrough, heldThrough: heldAtStart ?? 0))
    }
}
