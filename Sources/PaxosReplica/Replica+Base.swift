import PaxosCore
import PaxosProtocol

/// Catching up past a trim: when the replica it asked no longer holds the slots it lacks, it
/// receives the log's state before the first slot still held (a `LogBase`) and continues from
/// there, like a Kafka follower whose fetch offset fell below the leader's log start.
///
/// Safe because a base describes chosen slots only: the same slots, values and indexes every
/// replica applies. The acceptor's state (promise, accepted values after the base) is untouched.
extension Replica {
    /// The state of this replica's log at its commit index, as a base (taken with checkpoints).
    public var logBase: LogBase {
        LogBase(
            slot: commitIndex, lastIndex: lastIndex, firstIndex: firstIndex, dedup: dedup.sessionSnapshots,
            membership: membershipChanged ? membership : nil)
    }

    mutating func handleCatchUpBase(_ base: LogBase, theirCommit: Slot, from peer: NodeID, now: ClockInstant) {
        catchUpRequestedAt = nil
        guard role != .leader else { return }  // as in `handleCatchUpReply`
        // A base past this replica's log must extend it: the same indexes, never fewer entries.
        guard base.slot <= commitIndex || (base.lastIndex >= lastIndex && base.firstIndex >= firstIndex) else {
            droppedMessages += 1
            output.append(
                .messageDropped(
                    from: peer,
                    reason: .malformed(
                        "log base at slot \(base.slot) ends at index \(base.lastIndex) with first index \(base.firstIndex), behind this log (\(lastIndex), \(firstIndex))"
                    )))
            return
        }
        knownCommitIndex = max(knownCommitIndex, theirCommit)
        guard base.slot > commitIndex else {
            // Nothing to skip: what this replica lacks starts after the base.
            requestCatchUp(from: peer, now: now)
            return
        }
        persist(.base(base))
        install(base)
        output.append(.installBase(base))
        requestCatchUp(from: peer, now: now)
    }

    /// Continues the log from `base`: the slots through it count as applied. The first index stays
    /// the one agreed through the log (`base.firstIndex`); the entries from it up to the base are
    /// not held here, and the node sends readers of them to another node.
    mutating func install(_ base: LogBase) {
        guard base.slot > commitIndex else { return }
        installedBase = base
        commitIndex = base.slot
        knownCommitIndex = max(knownCommitIndex, base.slot)
        lastIndex = base.lastIndex
        firstIndex = base.firstIndex
        dedup = DedupTable(bounds: configuration, sessions: base.dedup)
        recentChosen.reset(at: base.slot + 1)
        acceptor.forget(through: base.slot)
        nextSlot = max(nextSlot, commitIndex + 1)
        if let agreed = base.membership, agreed != membership {
            adopt(agreed)
            output.append(.membershipChanged(agreed, slot: base.slot))
        }
    }

    /// After `recover`, the node's log store may start past what the journal shows applied: it was
    /// restarted from a base whose journal record did not reach the disk. The base is a fact about
    /// chosen slots, so adopting it is safe.
    public mutating func restoreBase(_ base: LogBase) {
        install(base)
        output = []
    }
}
