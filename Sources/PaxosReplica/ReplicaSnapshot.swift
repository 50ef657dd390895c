import PaxosCore
import PaxosProtocol

/// Everything a replica's journal records would rebuild, taken at one moment: what a checkpoint
/// stores so that a restart replays only the journal written after it.
///
/// The chosen values themselves are not here: they are in the log store, which the node syncs
/// through `commitIndex` before it writes the checkpoint.
public struct ReplicaSnapshot: Hashable, Sendable {
    /// The acceptor's promise.
    public var promised: Ballot?
    /// The highest ballot number seen, so a new ballot starts above every one known.
    public var highestBallotNumberSeen: UInt64
    /// Every slot through this one is chosen and applied (and in the log store).
    public var commitIndex: Slot
    /// The index of the last entry of the log at `commitIndex`.
    public var lastIndex: UInt64
    /// The log's first index: entries below it were trimmed.
    public var firstIndex: UInt64
    /// Values accepted in slots after `commitIndex`.
    public var accepted: [Slot: AcceptedValue]
    /// The replica was rebuilding lost state and did not vote (see `Replica+Amnesia.swift`).
    public var isRecovering: Bool
    /// The de-duplication table, which the log's entries from the start would rebuild.
    var dedup: [DedupSessionSnapshot]
    /// The membership agreed through `commitIndex`; nil when it never changed from the first.
    public var membership: Membership?
}

extension ReplicaSnapshot {
    /// The log's state at the snapshot's commit index: what the log store keeps as a base.
    public var logBase: LogBase {
        LogBase(slot: commitIndex, lastIndex: lastIndex, firstIndex: firstIndex, dedup: dedup, membership: membership)
    }
}

extension Replica {
    /// The replica's durable state now, for a checkpoint.
    public func snapshot() -> ReplicaSnapshot {
        ReplicaSnapshot(
            promised: promised, highestBallotNumberSeen: highestBallotNumberSeen, commitIndex: commitIndex,
            lastIndex: lastIndex, firstIndex: firstIndex, accepted: accepted.filter { $0.key > commitIndex },
            isRecovering: !isVoter,
            dedup: dedup.sessionSnapshots, membership: membershipChanged ? membership : nil)
    }

    /// Puts back the state `snapshot` holds; the journal written after it is replayed next.
    mutating func restore(_ snapshot: ReplicaSnapshot) {
        acceptor.restore(promise: snapshot.promised, votes: snapshot.accepted)
        highestBallotNumberSeen = max(highestBallotNumberSeen, snapshot.highestBallotNumberSeen)
        observe(snapshot.promised)
        commitIndex = snapshot.commitIndex
        knownCommitIndex = snapshot.commitIndex
        lastIndex = snapshot.lastIndex
        firstIndex = snapshot.firstIndex
        recentChosen.reset(at: snapshot.commitIndex + 1)
        dedup = DedupTable(bounds: configuration, sessions: snapshot.dedup)
        if let agreed = snapshot.membership { adopt(agreed) }
    }
}
