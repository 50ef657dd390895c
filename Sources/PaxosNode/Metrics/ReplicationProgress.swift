import DequeModule
import PaxosCore
import PaxosProtocol

/// How far behind the leader each follower is, in entries and in seconds, as the leader's node
/// sees it: followers report their commit slot in every heartbeat reply, and the node remembers,
/// for its latest applied slots, the last log index each ended at and when it applied.
///
/// Slots and indexes differ (a slot holds many entries, or none), so the lag in entries needs the
/// index at the follower's slot; only the latest `capacity` slots are remembered (a stated bound:
/// this runs on every apply), and a follower further behind is reported as at least as far
/// behind as the oldest remembered slot. The replica keeps none of this: it is a view for
/// operators, not a protocol input.
struct ReplicationProgress {
    /// One applied slot: where it ended in the log and when the node applied it.
    struct Applied {
        var slot: Slot
        /// The log's last index before this slot's entries.
        var indexBefore: UInt64
        var at: ClockInstant
    }

    /// One follower's position and how far behind it is.
    struct Lag: Equatable {
        var entries: UInt64
        var seconds: Double
    }

    /// The most applied slots remembered.
    static let capacity = 4096

    private(set) var applied: Deque<Applied> = []
    /// The commit slot each peer last reported.
    private(set) var peerCommitSlots: [NodeID: Slot] = [:]

    /// The node applied these slots at `now`.
    mutating func didApply(_ slots: [ChosenSlot], at now: ClockInstant) {
        for chosen in slots {
            applied.append(
                Applied(slot: chosen.slot, indexBefore: chosen.firstIndex - min(chosen.firstIndex, 1), at: now))
        }
        if applied.count > Self.capacity { applied.removeFirst(applied.count - Self.capacity) }
        assert(applied.count <= Self.capacity)
    }

    /// A peer said it has applied every slot through `slot`.
    mutating func peerReported(_ peer: NodeID, commitSlot slot: Slot) {
        peerCommitSlots[peer] = slot
    }

    /// Forgets what peers reported (this node stopped leading: the reports would go stale).
    mutating func forgetPeers() {
        peerCommitSlots.removeAll()
    }

    /// How far `peer` is behind a leader whose log ends at `lastIndex` (commit slot `commitSlot`),
    /// at `now`; nil when the peer has not reported since this node started leading.
    func lag(of peer: NodeID, lastIndex: UInt64, commitSlot: Slot, now: ClockInstant) -> Lag? {
        guard let peerSlot = peerCommitSlots[peer] else { return nil }
        guard peerSlot < commitSlot else { return Lag(entries: 0, seconds: 0) }
        // The first remembered slot after the peer's: the peer's log ends before it (exactly,
        // unless the peer is behind everything remembered: then at least that far).
        guard let after = applied.firstIndex(where: { $0.slot > peerSlot }) else { return Lag(entries: 0, seconds: 0) }
        let oldest = applied[after]
        let peerLastIndex = oldest.indexBefore
        let waited = now - oldest.at
        let (seconds, attoseconds) = waited.components
        return Lag(
            entries: lastIndex - min(lastIndex, peerLastIndex),
            seconds: max(0, Double(seconds) + Double(attoseconds) / 1e18))
    }
}
