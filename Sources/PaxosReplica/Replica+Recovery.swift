import PaxosCore
import PaxosProtocol

extension Replica {
    /// A replica restarted from its journal: `records` are every `PersistRecord` it wrote, in
    /// order. Its promise, its accepted values and its chosen prefix are back; it starts as a
    /// follower and learns the current leader from the cluster. When the records hold a
    /// `.recoveryStarted` not followed by `.recoveryCompleted`, it starts as a non-voter.
    ///
    /// - Parameter applied: called with each slot the records show chosen, in slot order, so the
    ///   caller can bring its log store up to date (it may already hold some of them).
    /// - Parameter snapshot: the state a checkpoint recorded; `records` are then the journal
    ///   records written after it.
    public static func recover(
        id: NodeID, configuration: ReplicaConfiguration, snapshot: ReplicaSnapshot? = nil,
        records: some Sequence<PersistRecord>, now: ClockInstant, applied: (ChosenSlot) -> Void = { _ in }
    ) -> Replica {
        var replica = Replica(id: id, configuration: configuration, now: now)
        var lostState = snapshot?.isRecovering ?? false
        if let snapshot { replica.restore(snapshot) }
        for record in records {
            switch record {
            case .recoveryStarted: lostState = true
            case .recoveryCompleted: lostState = false
            default: break
            }
            replica.replay(record)
            for case .apply(let chosen) in replica.output { applied(chosen) }
            replica.output = []
        }
        replica.output = []
        if lostState {
            // Recovery restarts from the beginning: the wait counts from this start.
            replica.beginRecovery(now: now)
        }
        replica.nextSlot = replica.commitIndex + 1
        replica.persistedCommitMark = replica.commitIndex
        return replica
    }

    /// After `recover`, the node's log store may hold chosen slots past what the journal showed
    /// chosen (commit marks are written at most once per heartbeat, and the log store is written
    /// as slots apply): they are applied here, in order from `commitIndex + 1`. A chosen value is
    /// chosen whoever learned it, so this is safe even for a replica that lost its journal.
    public mutating func restoreChosen(_ value: SlotValue, at slot: Slot) {
        guard slot == commitIndex + 1 else { return }
        apply(value, at: slot)
        output = []
        nextSlot = max(nextSlot, commitIndex + 1)
    }

    /// Applies one journal record exactly as when it was written.
    mutating func replay(_ record: PersistRecord) {
        switch record {
        case .promise(let ballot):
            acceptor.restore(promise: ballot)
            observe(ballot)
        case .accepted(let ballot, let firstSlot, let values):
            acceptor.restore(promise: ballot)
            observe(ballot)
            for (offset, value) in values.enumerated() where firstSlot + Slot(offset) > commitIndex {
                acceptor.restore(AcceptedValue(ballot: ballot, value: value), at: firstSlot + Slot(offset))
            }
        case .committed(let through, let ballot):
            while commitIndex < through, let next = accepted[commitIndex + 1], next.ballot == ballot {
                apply(next.value, at: commitIndex + 1)
            }
        case .chosen(let firstSlot, let values):
            for (offset, value) in values.enumerated() where firstSlot + Slot(offset) == commitIndex + 1 {
                apply(value, at: commitIndex + 1)
            }
        case .base(let base):
            install(base)
        case .recoveryStarted, .started:
            break
        case .recoveryCompleted(let ballot):
            acceptor.restore(promise: ballot)
            observe(ballot)
        }
    }
}
