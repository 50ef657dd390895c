import PaxosCore
import PaxosProtocol

/// Retention: moving the log's first index forward through the log itself.
///
/// A trim is a slot value (`.trim(before:)`) that the leader proposes like any other, so every
/// replica applies it at the same point of the log and computes the same first index; no node
/// decides on its own what the others may forget. The first index never moves back, and never
/// past one beyond the last index at the moment the trim applies.
extension Replica {
    /// A client asks to move the first index to `before`. The leader proposes the trim in the
    /// next slot and answers `.trimOutcome(id, .trimmed(firstIndex:))` once it applied; any other
    /// replica answers `.notLeader` at once.
    public mutating func requestTrim(before index: UInt64, id requestID: UInt64, now: ClockInstant) -> [ReplicaAction] {
        run(now) { replica in replica.handleTrimRequest(before: index, id: requestID, now: now) }
    }

    mutating func handleTrimRequest(before index: UInt64, id requestID: UInt64, now: ClockInstant) {
        guard role == .leader else {
            output.append(.trimOutcome(id: requestID, .notLeader(leader: role == .follower ? leader : nil)))
            return
        }
        // Trims wait for room in the pipeline like entries, and those waiting together become one
        // (the furthest): a client repeating trims cannot crowd out appends.
        let before = min(max(index, 1), ProtocolLimits.slotsAndBallots - 1)
        queuedTrim = (before: max(queuedTrim?.before ?? 0, before), ids: (queuedTrim?.ids ?? []) + [requestID])
        proposeQueued(now: now)
    }

    /// Proposes the queued trim in the next slot, when the pipeline has room.
    mutating func proposeQueuedTrim(now: ClockInstant) {
        guard let trim = queuedTrim, inFlight.count < configuration.maxSlotsInFlight else { return }
        queuedTrim = nil
        for id in trim.ids { pendingTrims.append((id: id, slot: nextSlot)) }
        propose([.trim(before: trim.before)], now: now)
    }

    /// Applies a chosen trim: the first index moves to `before`, within the log's bounds.
    mutating func applyTrim(before: UInt64, at slot: Slot) {
        firstIndex = max(firstIndex, min(before, lastIndex + 1))
        let answered = pendingTrims.prefix { $0.slot <= slot }
        for trim in answered {
            output.append(.trimOutcome(id: trim.id, .trimmed(firstIndex: firstIndex)))
        }
        pendingTrims.removeFirst(answered.count)
    }

    /// Tells clients whose trim had not applied when leadership was lost to ask the new leader.
    mutating func rejectPendingTrims(newLeader: NodeID?) {
        for id in pendingTrims.map(\.id) + (queuedTrim?.ids ?? []) {
            output.append(.trimOutcome(id: id, .notLeader(leader: newLeader)))
        }
        pendingTrims = []
        queuedTrim = nil
    }
}
