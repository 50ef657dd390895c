import PaxosCore
import PaxosProtocol

/// Learning and applying chosen slots, and catching up.
extension Replica {
    /// Applies the chosen `value` of `slot`, which must be the next slot in order.
    mutating func apply(_ value: SlotValue, at slot: Slot) {
        precondition(slot == commitIndex + 1, "slots apply in order")
        commitIndex = slot
        recentChosen.append(value, at: slot)
        acceptor.forget(slot: slot)
        knownCommitIndex = max(knownCommitIndex, slot)
        var chosen = ChosenSlot(slot: slot, value: value, firstIndex: lastIndex + 1)
        var outcomes: [ReplicaAction] = []
        if case .entries(let batch) = value {
            for (position, entry) in batch.enumerated() {
                pendingKeys.remove(entry.key)
                let outcome: AppendOutcome
                switch dedup.admission(of: entry.key) {
                case .append:
                    lastIndex += 1
                    dedup.record(entry.key, index: lastIndex)
                    outcome = .committed(index: lastIndex)
                case .duplicate(let index):
                    // A retry that made it into the log twice: not a new entry.
                    chosen.skippedPositions.append(position)
                    outcome = index.map { .committed(index: $0) } ?? .indexForgotten
                case .outOfOrder(let expected):
                    // Its predecessor was lost with a leader; the client sends both again, in order.
                    chosen.skippedPositions.append(position)
                    outcome = .outOfOrder(expected: expected)
                }
                if waitingClients.remove(entry.key) != nil {
                    outcomes.append(.appendOutcome(entry.key, outcome))
                }
            }
        }
        output.append(.apply(chosen))
        output.append(contentsOf: outcomes)
        if case .trim(let before) = value {
            applyTrim(before: before, at: slot)
        }
        if case .membership(let agreed) = value {
            applyMembership(agreed, at: slot)
        }
    }

    /// The leader of `ballot` says slots through `leaderCommit` are chosen. Slots this replica
    /// accepted under that same ballot hold the chosen value; for the rest it asks for catch-up.
    mutating func learnCommit(_ leaderCommit: Slot, ballot: Ballot, leader peer: NodeID, now: ClockInstant) {
        knownCommitIndex = max(knownCommitIndex, leaderCommit)
        let before = commitIndex
        while commitIndex < leaderCommit, let next = accepted[commitIndex + 1], next.ballot == ballot {
            apply(next.value, at: commitIndex + 1)
        }
        if commitIndex > before {
            lastAppliedBallot = ballot
        }
        if commitIndex < leaderCommit {
            requestCatchUp(from: peer, now: now)
        }
    }

    /// Records how far the log is known chosen, at most once per heartbeat period. Only recovery
    /// reads these marks (the chosen prefix after a restart); nobody waits for them, and writing
    /// one after every commit would put an extra fsync in front of the next accept.
    mutating func persistCommitMarkIfDue(now: ClockInstant) {
        guard commitIndex > persistedCommitMark, let ballot = lastAppliedBallot,
            now - lastCommitMarkAt >= configuration.heartbeatPeriod
        else { return }
        persist(.committed(commitIndex: commitIndex, ballot: ballot))
        persistedCommitMark = commitIndex
        lastCommitMarkAt = now
    }

    /// Asks `peer` for chosen values after our commit index, at most once per four heartbeats.
    mutating func requestCatchUp(from peer: NodeID, now: ClockInstant) {
        if let asked = catchUpRequestedAt, now - asked < configuration.heartbeatPeriod * 4 { return }
        catchUpRequestedAt = now
        catchUpAskedOf = peer
        send(.catchUpRequest(fromSlot: commitIndex + 1), to: peer)
    }

    mutating func handleCatchUpRequest(fromSlot: Slot, from peer: NodeID) {
        guard fromSlot >= 1, fromSlot <= commitIndex else { return }
        guard recentChosen.value(at: fromSlot) != nil else {
            output.append(.serveCatchUp(fromSlot: fromSlot, commitIndex: commitIndex, to: peer))
            return
        }
        var chunk = CatchUpChunk(configuration: configuration)
        var slot = fromSlot
        while slot <= commitIndex, chunk.hasRoom, let value = recentChosen.value(at: slot) {
            chunk.add(value)
            slot += 1
        }
        send(.catchUpReply(firstSlot: fromSlot, values: chunk.values, commitIndex: commitIndex), to: peer)
    }

    mutating func handleCatchUpReply(
        firstSlot: Slot, values: [SlotValue], theirCommit: Slot, from peer: NodeID, now: ClockInstant
    ) {
        catchUpRequestedAt = nil
        // A leader learns every slot through its own proposals; a reply to what it asked before it
        // led would apply slots behind its pipeline's back (and a membership without rule 3).
        guard role != .leader else { return }
        knownCommitIndex = max(knownCommitIndex, theirCommit)
        guard firstSlot <= commitIndex + 1 else { return }
        let skip = Int(commitIndex + 1 - firstSlot)
        guard skip < values.count else { return }
        let fresh = Array(values[skip...])
        let start = commitIndex + 1
        persist(.chosen(firstSlot: start, values: fresh))
        for value in fresh {
            apply(value, at: commitIndex + 1)
        }
        if commitIndex < knownCommitIndex {
            requestCatchUp(from: peer, now: now)
        }
    }
}
