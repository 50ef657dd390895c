import PaxosCore
import PaxosProtocol

/// A node whose log store (the chosen values on disk) was cut at damage below what its last
/// checkpoint covers: protocol-aware repair in the sense of Alagappan et al. (FAST'18).
///
/// The slots cut are unknown to this node, never "not accepted": its acceptor forgot its votes in
/// them when they were chosen, so if it rebuilt its log from the store alone and voted, it could
/// promise a candidate that knows less than it did and report nothing for slots a quorum chose
/// with its help. So the replica goes back to the log's state at the store's end (the values
/// are refetched by ordinary catch-up, from peers that hold them chosen) while its promise, its
/// ballots and the values it accepted past the checkpoint stay, and it votes for nobody until its
/// commit index is back where it was (`votesHeldUntil`; see `withholdsVotes(now:)`). Its node
/// writes no checkpoint meanwhile, so a crash in between finds the same gap and the same hold.
extension ReplicaSnapshot {
    /// This snapshot with the log's state taken from `base`, an earlier point of the same log
    /// (the store's end): the acceptor's promise, the highest ballot seen and the accepted values
    /// stay.
    public func rolledBack(to base: LogBase) -> ReplicaSnapshot {
        var snapshot = self
        snapshot.commitIndex = base.slot
        snapshot.lastIndex = base.lastIndex
        snapshot.firstIndex = base.firstIndex
        snapshot.dedup = base.dedup
        snapshot.membership = base.membership
        return snapshot
    }
}

extension Replica {
    /// The journal records to replay over a snapshot rolled back from one whose commit index was
    /// `chosenThrough`: the same records, but accepted values in slots through `chosenThrough` are
    /// left out. The normal replay ignores them (those slots were known chosen); replayed over the
    /// rolled-back state they would be restored as votes, and a commit mark of their ballot would
    /// then apply them as chosen. An accept journaled after the checkpoint for a slot already known
    /// chosen (a stale leader's resend, say) need not hold the chosen value. Only `.chosen`
    /// records, the log store and catch-up vouch for those slots. Each record's ballot stays, for
    /// the promise it implies.
    public static func recordsForRollback(_ records: [PersistRecord], chosenThrough: Slot) -> [PersistRecord] {
        records.map { record in
            guard case .accepted(let ballot, let firstSlot, let values) = record, firstSlot <= chosenThrough else {
                return record
            }
            let skipped = Int(min(UInt64(values.count), chosenThrough - firstSlot + 1))
            return .accepted(
                ballot: ballot, firstSlot: firstSlot + Slot(skipped), values: Array(values.dropFirst(skipped)))
        }
    }

    /// The replica knew slots through `slot` chosen but lost some of their values: it votes for
    /// nobody until it has learned them again.
    public mutating func holdVotes(untilCommitted slot: Slot) {
        votesHeldUntil = max(votesHeldUntil, slot)
        knownCommitIndex = max(knownCommitIndex, slot)
    }

    /// While its votes are held, a replica learns the slots it lacks from any peer that shows it
    /// knows more (a candidate's pre-vote or prepare says how far it has chosen), not only from a
    /// leader: with one member recovering and this one holding its vote, no leader can be elected
    /// until one of them is whole again.
    mutating func learnFromPeerWhileVotesHeld(theirCommit: Slot, peer: NodeID, now: ClockInstant) {
        guard commitIndex < votesHeldUntil, peer != id else { return }
        catchUpIfBehind(theirCommit, peer: peer, now: now)
    }
}
