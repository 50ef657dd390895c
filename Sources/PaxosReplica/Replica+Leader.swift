import PaxosCore
import PaxosProtocol

/// The leader side: taking over after phase 1, batching and pipelining client appends, learning
/// which slots are chosen.
extension Replica {
    mutating func becomeLeader(now: ClockInstant) {
        guard let ballot = candidateBallot else { return }
        // For each slot, the value a quorum reported: a known-chosen value wins (it can only be the
        // value any vote would lead to), then Paxos's adoption rule, once for all slots.
        var merged: [Slot: SlotReport] = [:]
        for report in promisesReceived.values.joined() where report.slot > commitIndex {
            guard let existing = merged[report.slot] else {
                merged[report.slot] = report
                continue
            }
            if existing.ballot != nil,
                report.ballot == nil || AdoptionRule.prefers(report.ballot, over: existing.ballot)
            {
                merged[report.slot] = report
            }
        }
        promisesReceived = [:]
        setRole(.leader, leader: id, ballot: ballot)
        leaderSince = now
        lastReplyFrom = [:]
        appliedBy = [:]
        // `acknowledgedBy`, `bootOf` and `reconnected` are kept: what a follower acknowledged to
        // this node under an earlier ballot it must still hold (a step-down and re-election must
        // not wipe the evidence against a restored copy).
        inFlight = [:]
        tally = MultiSlotLearner()
        inFlightBytes = 0
        nextSlot = commitIndex + 1

        // Re-proposed only up to the first membership value reported: the slots after it are
        // decided under the new voters, by the phase 1 that runs once it applies.
        let firstMembershipSlot = merged.filter { if case .membership = $0.value.value { true } else { false } }.keys
            .min()
        let highest = firstMembershipSlot ?? merged.keys.max() ?? commitIndex
        var values: [SlotValue] = []
        if highest > commitIndex {
            for slot in (commitIndex + 1)...highest {
                let value = merged[slot]?.value ?? .noop
                values.append(value)
                if case .entries(let entries) = value {
                    pendingKeys.formUnion(entries.map(\.key))
                }
            }
        }
        takeoverSlot = highest
        if let membershipSlot = firstMembershipSlot {
            keepReports(merged.filter { $0.key > membershipSlot }, ballot: ballot)
        }
        answeredRound = [:]
        propose(values, now: now)
        sendHeartbeat(now: now)
        proposeMembershipChangeIfDrained(now: now)
        proposeQueued(now: now)
    }

    mutating func handleAppend(_ newEntries: [ClientEntry], now: ClockInstant) {
        guard role == .leader else {
            for entry in newEntries {
                output.append(.appendOutcome(entry.key, .notLeader(leader: role == .follower ? leader : nil)))
            }
            return
        }
        var full = false
        for entry in newEntries {
            if case .duplicate(let index) = dedup.admission(of: entry.key) {
                output.append(.appendOutcome(entry.key, index.map { .committed(index: $0) } ?? .indexForgotten))
                continue
            }
            if pendingKeys.contains(entry.key) {
                waitingClients.insert(entry.key)  // a retry of an entry already queued or in flight
                continue
            }
            let size = entry.data.count + 20
            full =
                full || queue.count >= configuration.maxQueuedEntries
                || (queuedBytes + size > configuration.maxQueuedBytes && !queue.isEmpty)
            guard !full else {
                // Back-pressure: the client retries after a moment instead of the leader's memory
                // growing. Everything after a refused entry is refused too, so that a smaller
                // entry behind a large one does not overtake it.
                output.append(.appendOutcome(entry.key, .overloaded))
                continue
            }
            waitingClients.insert(entry.key)
            pendingKeys.insert(entry.key)
            queue.append(entry)
            queuedBytes += size
        }
        proposeQueued(now: now)
    }

    /// Moves queued entries into new slots while the pipeline has room, one accept message for all.
    mutating func proposeQueued(now: ClockInstant) {
        // A leader handing over proposes nothing new: the target must catch up with a log that
        // stands still. The queue waits, and goes to the new leader's clients as redirects.
        // Nor while a membership change drains the pipeline or is in flight (see
        // `Replica+Membership.swift`): nothing is proposed after a membership slot until it is chosen.
        guard role == .leader, transfer == nil, !membershipChangeBlocksProposals else { return }
        proposeQueuedTrim(now: now)
        guard !queue.isEmpty else { return }
        var values: [SlotValue] = []
        var bytes = inFlightBytes
        while !queue.isEmpty, inFlight.count + values.count < configuration.maxSlotsInFlight,
            bytes < configuration.maxBytesInFlight
        {
            var batch: [ClientEntry] = []
            var batchBytes = 0
            while let next = queue.first, batch.count < configuration.maxEntriesPerSlot {
                let size = next.data.count + 20
                if !batch.isEmpty && batchBytes + size > configuration.maxBytesPerSlot { break }
                batch.append(queue.removeFirst())
                batchBytes += size
                queuedBytes -= size
            }
            values.append(.entries(batch))
            bytes += batchBytes
        }
        propose(values, now: now)
    }

    /// Proposes `values` in the next slots under the current ballot.
    mutating func propose(_ values: [SlotValue], now: ClockInstant) {
        guard let ballot = candidateBallot, !values.isEmpty else { return }
        let first = nextSlot
        for value in values {
            inFlight[nextSlot] = InFlightSlot(value: value, sentAt: now)
            inFlightBytes += value.byteCount
            nextSlot += 1
        }
        broadcast(
            .accept(ballot: ballot, firstSlot: first, values: values, commitIndex: commitIndex), includingSelf: true)
    }

    mutating func handleAccepted(ballot: Ballot, firstSlot: Slot, count: Int, from peer: NodeID, now: ClockInstant) {
        guard role == .leader, ballot == candidateBallot, count > 0 else { return }
        lastReplyFrom[peer] = now
        if peer != id {
            acknowledgedBy[peer] = max(acknowledgedBy[peer] ?? 0, firstSlot + Slot(count) - 1)
        }
        // Only slots in flight can gain an acknowledgement: the loop never runs past the pipeline.
        // The acknowledgement is a vote for the value this leader proposed there under `ballot`.
        let first = max(firstSlot, commitIndex + 1)
        let end = min(firstSlot + Slot(count), nextSlot)
        guard first < end else { return }
        let voters = membership
        for slot in first..<end {
            guard let proposed = inFlight[slot] else { continue }
            tally.receiveAccepted(
                Vote(ballot: ballot, value: proposed.value), at: slot, from: peer, isQuorum: { voters.isQuorum($0) })
        }
        let before = commitIndex
        var membershipApplied = false
        for (slot, value) in tally.takeChosen(after: commitIndex) {
            inFlight[slot] = nil
            inFlightBytes -= value.byteCount
            apply(value, at: slot)
            if case .membership = value { membershipApplied = true }
        }
        if commitIndex > before {
            lastAppliedBallot = ballot
            if membershipApplied {
                leaderAppliedMembership(now: now)
                return
            }
            proposeMembershipChangeIfDrained(now: now)
            proposeQueued(now: now)
            serveReadyReads()
            if transfer != nil && inFlight.isEmpty {
                // Everything is chosen: the target learns the commit index from this heartbeat.
                sendHeartbeat(now: now)
            }
        }
    }

    mutating func sendHeartbeat(now: ClockInstant) {
        guard let ballot = candidateBallot else { return }
        heartbeatRound += 1
        let heartbeat = ReplicaMessage.heartbeat(ballot: ballot, commitIndex: commitIndex, round: heartbeatRound)
        broadcast(heartbeat, includingSelf: false)
        heartbeatDeparted(heartbeat)
        nextHeartbeat = now + configuration.heartbeatPeriod
    }

    mutating func handleReadRequest(id: UInt64, now: ClockInstant) {
        guard role == .leader else {
            output.append(.readRejected(id: id, leader: role == .follower ? leader : nil))
            return
        }
        // The read may return only what a heartbeat sent from now on shows the majority accepts.
        sendHeartbeat(now: now)
        pendingReads.append((id, heartbeatRound))
        serveReadyReads()
    }

    mutating func handleHeartbeatReply(
        ballot: Ballot, commitIndex theirCommit: Slot, round: UInt64, from peer: NodeID, now: ClockInstant
    ) {
        guard role == .leader, ballot == candidateBallot else { return }
        lastReplyFrom[peer] = now
        answeredRound[peer] = max(answeredRound[peer] ?? 0, round)
        appliedBy[peer] = max(appliedBy[peer] ?? 0, theirCommit)
        departedApplied(peer, through: theirCommit)
        serveReadyReads()
        continueTransfer(now: now)
    }

    /// Answers the reads whose heartbeat round a majority has answered, once the slots re-proposed
    /// at take-over are applied.
    mutating func serveReadyReads() {
        guard !pendingReads.isEmpty, commitIndex >= takeoverSlot else { return }
        // The highest round that at least quorumSize - 1 peers answered (the leader is the last vote).
        let confirmedRound =
            quorumSize < 2
            ? UInt64.max
            : answeredRound.filter { membership.isVoter($0.key) }.values.sorted(by: >).dropFirst(quorumSize - 2).first
                ?? 0
        let ready = pendingReads.prefix { $0.round <= confirmedRound }
        for read in ready {
            output.append(.readReady(id: read.id, lastIndex: lastIndex))
        }
        pendingReads.removeFirst(ready.count)
    }

    /// Re-sends the accepts of slots that have waited more than `resendInterval` to peers that have
    /// not answered them (a message lost with a connection). Only old slots go again, and each at
    /// most once per interval, so a merely slow follower is not buried under copies.
    mutating func resendUnansweredAccepts(now: ClockInstant) {
        guard let ballot = candidateBallot, !inFlight.isEmpty else { return }
        let stale = inFlight.filter { now - $0.value.sentAt >= configuration.resendInterval }.keys.sorted()
        guard !stale.isEmpty else { return }
        for slot in stale { inFlight[slot]?.sentAt = now }
        for peer in peers {
            var run: [SlotValue] = []
            var runStart: Slot = 0
            for slot in stale {
                guard let slotState = inFlight[slot], !tally.voters(at: slot, ballot: ballot).contains(peer) else {
                    continue
                }
                if !run.isEmpty && (slot != runStart + Slot(run.count) || run.count >= 64) {
                    output.append(
                        .send(
                            .accept(ballot: ballot, firstSlot: runStart, values: run, commitIndex: commitIndex),
                            to: peer))
                    run = []
                }
                if run.isEmpty { runStart = slot }
                run.append(slotState.value)
            }
            if !run.isEmpty {
                output.append(
                    .send(.accept(ballot: ballot, firstSlot: runStart, values: run, commitIndex: commitIndex), to: peer)
                )
            }
        }
    }
}
