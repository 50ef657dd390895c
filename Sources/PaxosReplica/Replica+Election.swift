import PaxosCore
import PaxosProtocol

/// Leader election: timeouts, pre-vote, phase 1, stepping down.
extension Replica {
    mutating func handleTick(now: ClockInstant) {
        persistCommitMarkIfDue(now: now)
        switch role {
        case .leader:
            if now >= nextHeartbeat {
                sendHeartbeat(now: now)
            }
            resendUnansweredAccepts(now: now)
            continueTransfer(now: now)
            stepDownWithoutQuorumContact(now: now)
        case .follower, .candidate:
            if !isVoter {
                recoveryTick(now: now)
            } else if electionTimer.isDue(now: now), isVotingMember, !withholdsVotes(now: now) {
                // (A learner, or a node removed from the membership, stands for nothing.)
                startPreVote(now: now)
            } else if knownCommitIndex > commitIndex, let leader {
                requestCatchUp(from: leader, now: now)
            }
        }
    }

    /// True while the leader was heard within the election timeout.
    public func hearsLiveLeader(now: ClockInstant) -> Bool {
        leaderLiveness.isAlive(now: now)
    }

    /// The leader (or a candidate a majority supports) was heard: it is alive, and this replica
    /// gives it a full election timeout before standing itself.
    mutating func heardFromLeader(now: ClockInstant) {
        leaderLiveness.heard(at: now)
        electionTimer.restart(now: now)
    }

    /// Asks the others whether they would support an election, without changing anyone's state.
    mutating func startPreVote(now: ClockInstant) {
        electionTimer.restart(now: now)
        if role == .leader { return }
        setRole(.candidate, leader: nil, ballot: nil)
        isPreVoting = true
        preVoteGrants = [id]
        candidateBallot = nil
        promisesReceived = [:]
        broadcast(.preVote(commitIndex: commitIndex), includingSelf: false)
        if membership.isQuorum(preVoteGrants) {
            startPhase1(now: now)
        }
    }

    mutating func handlePreVote(candidateCommit: Slot, from peer: NodeID, now: ClockInstant) {
        // A replica that hears a live leader, or has chosen more than the candidate knows, says no:
        // the candidate would only disrupt, or would need a long phase 1 to learn what it lacks.
        // A non-voter supports nobody: its support would stand for promises it may have forgotten;
        // nor does a run whose start no leader has checked yet (`Replica+OlderCopy.swift`). Whether
        // the candidate votes is the candidate's business: it may have been promoted in a slot this
        // replica has not learned yet, and only the candidate counts its grants.
        learnFromPeerWhileVotesHeld(theirCommit: candidateCommit, peer: peer, now: now)
        let granted =
            isVoter && role != .leader && !hearsLiveLeader(now: now) && candidateCommit >= commitIndex
            && !withholdsVotes(now: now)
        send(.preVoteReply(granted: granted, promised: promised, commitIndex: commitIndex), to: peer)
    }

    /// A peer said how far it has chosen: a replica behind it asks it for the slots it lacks.
    /// Without this a candidate behind the only node that knows the latest slots could wait forever:
    /// that node may not promise it (it can no longer report chosen values that old from memory)
    /// nor run itself (a member the latest slots removed), and there may be no leader to learn from.
    mutating func catchUpIfBehind(_ theirCommit: Slot, peer: NodeID, now: ClockInstant) {
        guard theirCommit > commitIndex, role != .leader else { return }
        knownCommitIndex = max(knownCommitIndex, theirCommit)
        requestCatchUp(from: peer, now: now)
    }

    mutating func handlePreVoteReply(
        granted: Bool, promised theirPromise: Ballot?, from peer: NodeID, now: ClockInstant
    ) {
        observe(theirPromise)
        guard role == .candidate, isPreVoting, granted else { return }
        preVoteGrants.insert(peer)
        if membership.isQuorum(preVoteGrants) {
            startPhase1(now: now)
        }
    }

    /// Phase 1 with a ballot higher than any seen, for every slot after the commit index.
    mutating func startPhase1(now: ClockInstant) {
        isPreVoting = false
        let ballot = Ballot(number: max(highestBallotNumberSeen, promised?.number ?? 0) + 1, uid: id)
        observe(ballot)
        candidateBallot = ballot
        promisesReceived = [:]
        electionTimer.restart(now: now)
        broadcast(.prepare(ballot: ballot, fromSlot: commitIndex + 1), includingSelf: true)
    }

    mutating func handlePrepare(ballot: Ballot, fromSlot: Slot, from peer: NodeID, now: ClockInstant) {
        observe(ballot)
        // (A learner promises too: a promise is always safe, and a node promoted before it learned
        // so is a voter to the candidates that know. Each candidate counts only its voters.)
        learnFromPeerWhileVotesHeld(theirCommit: fromSlot - 1, peer: peer, now: now)
        guard isVoter, peer == id || !withholdsVotes(now: now) else { return }
        if let promised = acceptor.refusal(of: ballot) {
            send(.nack(ballot: ballot, promised: promised), to: peer)
            return
        }
        // A candidate this far behind would need chosen values read from disk in its promise.
        // Promising nothing is always safe, and it costs no liveness: this replica is ahead of
        // the candidate, so it can win an election itself (pre-votes favour the most advanced).
        guard let reports = reports(from: fromSlot) else { return }
        if case .promised(raised: true) = acceptor.receivePrepare(ballot) {
            persist(.promise(ballot))
            if peer != id {
                // A majority supported that candidate: whoever led before is gone. Give the
                // candidate a full timeout before trying ourselves. A leader handing over to it
                // sends its clients there.
                let handedOver = transfer?.target == peer
                if handedOver { finishTransfer(.transferred(to: peer)) }
                if role != .follower { stepDown(now: now, newLeader: handedOver ? peer : nil) }
                heardFromLeader(now: now)
                if leader != nil { setRole(.follower, leader: nil, ballot: nil) }
            }
        }
        sendWhenDurable(.promise(ballot: ballot, reports: reports), to: peer)
    }

    /// What this acceptor knows from `fromSlot` on: chosen values, then accepted ones. Nil when
    /// the chosen values from `fromSlot` are older than the replica keeps in memory.
    func reports(from fromSlot: Slot) -> [SlotReport]? {
        var reports: [SlotReport] = []
        if fromSlot <= commitIndex {
            for slot in fromSlot...commitIndex {
                guard let value = recentChosen.value(at: slot) else { return nil }
                reports.append(SlotReport(slot: slot, ballot: nil, value: value))
            }
        }
        for (slot, vote) in acceptor.votes(from: max(fromSlot, commitIndex + 1)) {
            reports.append(SlotReport(slot: slot, ballot: vote.ballot, value: vote.value))
        }
        return reports
    }

    mutating func handlePromise(ballot: Ballot, reports: [SlotReport], from peer: NodeID, now: ClockInstant) {
        // A candidacy counts promises only until its deadline: after it, the candidate starts over.
        // This bounds how long a promise can count, which the recovery rule relies on.
        guard role == .candidate, !isPreVoting, ballot == candidateBallot, promisesReceived[peer] == nil,
            !electionTimer.isDue(now: now)
        else { return }
        promisesReceived[peer] = reports
        guard membership.isQuorum(promisesReceived.keys) else { return }
        if isVoter {
            becomeLeader(now: now)
        } else {
            completeRecovery(ballot: ballot, now: now)
        }
    }

    mutating func handleNack(ballot: Ballot, promised higher: Ballot, now: ClockInstant) {
        observe(higher)
        guard ballot == candidateBallot, higher > ballot else { return }
        switch role {
        case .leader:
            stepDown(now: now, newLeader: nil)
        case .candidate:
            setRole(.follower, leader: nil, ballot: nil)
            isPreVoting = false
            candidateBallot = nil
        case .follower:
            break
        }
    }

    /// Gives up leadership (or candidacy): clients waiting here are told to go elsewhere.
    mutating func stepDown(now: ClockInstant, newLeader: NodeID?) {
        for key in waitingClients.sorted(by: { ($0.session, $0.sequence) < ($1.session, $1.sequence) }) {
            output.append(.appendOutcome(key, .notLeader(leader: newLeader)))
        }
        waitingClients = []
        for read in pendingReads {
            output.append(.readRejected(id: read.id, leader: newLeader))
        }
        pendingReads = []
        rejectPendingTrims(newLeader: newLeader)
        finishTransfer(.notLeader(leader: newLeader))
        finishMembershipChange(.notLeader(leader: newLeader))
        queue = []
        queuedBytes = 0
        pendingKeys = []
        inFlight = [:]
        tally = MultiSlotLearner()
        inFlightBytes = 0
        isPreVoting = false
        candidateBallot = nil
        promisesReceived = [:]
        electionTimer.restart(now: now)
        setRole(.follower, leader: newLeader, ballot: nil)
    }

    /// Follows `peer` as the leader of `ballot`.
    mutating func follow(_ peer: NodeID, ballot: Ballot, now: ClockInstant) {
        if role != .follower && peer != id {
            stepDown(now: now, newLeader: peer)
        }
        heardFromLeader(now: now)
        if leader != peer || leaderBallot != ballot {
            setRole(.follower, leader: peer, ballot: ballot)
        }
    }

    mutating func setRole(_ newRole: ReplicaRole, leader newLeader: NodeID?, ballot: Ballot?) {
        let changed = role != newRole || leader != newLeader || leaderBallot != ballot
        role = newRole
        leader = newLeader
        leaderBallot = ballot
        if changed {
            output.append(.roleChanged(newRole, leader: newLeader, ballot: ballot))
        }
    }

    /// A leader that has not heard from a majority for an election timeout steps down, so its
    /// clients go looking for the leader the others elected.
    mutating func stepDownWithoutQuorumContact(now: ClockInstant) {
        guard now - leaderSince > configuration.electionTimeout else { return }
        let recent = lastReplyFrom.filter { now - $0.value <= configuration.electionTimeout }.keys
        if !membership.isQuorum(recent + [id]) {
            stepDown(now: now, newLeader: nil)
        }
    }
}
