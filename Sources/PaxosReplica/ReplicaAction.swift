import PaxosCore
import PaxosProtocol

/// What a client's append came to.
public enum AppendOutcome: Hashable, Sendable {
    /// The entry is chosen and applied at this index (also for a retry of an entry already in the log).
    case committed(index: UInt64)
    /// This replica is not the leader; try `leader` (nil: unknown, retry later).
    case notLeader(leader: NodeID?)
    /// The leader's queue of entries waiting for the pipeline is full: retry after a moment.
    case overloaded
    /// The entry came before its session's sequence `expected`, which the log must take first
    /// (it was lost with a leader): it took no index. Send the session's entries again from
    /// `expected` on, in order.
    case outOfOrder(expected: UInt64)
    /// The entry is in the log, but so much longer ago than its session's latest entries (past
    /// the de-duplication window) that its index is no longer known. It was not appended again.
    case indexForgotten
}

/// What a client's trim came to.
public enum TrimOutcome: Hashable, Sendable {
    /// The trim applied: the log's first index is now `firstIndex` (at least what was asked,
    /// unless that was past the end of the log).
    case trimmed(firstIndex: UInt64)
    /// This replica is not the leader; try `leader` (nil: unknown, retry later).
    case notLeader(leader: NodeID?)
}

/// What a request to hand leadership over came to.
public enum TransferOutcome: Hashable, Sendable {
    /// `to` took over (its higher ballot reached the old leader), or already led.
    case transferred(to: NodeID)
    /// This replica is not the leader; ask `leader` (nil: unknown, retry later).
    case notLeader(leader: NodeID?)
    /// Refused, or the target did not take over in time; the old leader goes on leading.
    case failed(String)
}

/// What a request to change the membership came to.
public enum MembershipOutcome: Hashable, Sendable {
    /// The change is chosen: `membership` governs the slots after `slot`.
    case changed(Membership, slot: Slot)
    /// This replica is not the leader; ask `leader` (nil: unknown, retry later).
    case notLeader(leader: NodeID?)
    /// Refused, with the reason (nothing changed).
    case refused(String)
}

/// The role a replica plays.
public enum ReplicaRole: String, Hashable, Sendable {
    case follower, candidate, leader
}

/// What a replica asks its caller to do. Perform in order.
public enum ReplicaAction: Hashable, Sendable {
    /// Send `message` to `peer`.
    case send(ReplicaMessage, to: NodeID)
    /// Send the same `message` to each of `peers` (encode it once).
    case broadcast(ReplicaMessage, to: [NodeID])
    /// Append `record` to the journal; call `persisted(through: token)` once it is durable. Tokens
    /// increase by one per record and complete in order.
    case persist(PersistRecord, token: UInt64)
    /// A slot is chosen and applied, in slot order: write it to the log store. Its entries took
    /// the indexes from `firstIndex` on (retried duplicates and no-ops take none).
    case apply(ChosenSlot)
    /// `peer` asked for chosen values from `fromSlot`, older than this replica keeps in memory:
    /// read them from the log store (at most `catchUpChunkSlots` slots and `catchUpChunkBytes`
    /// bytes, at least one) and send them as `.catchUpReply(firstSlot:values:commitIndex:)`.
    case serveCatchUp(fromSlot: Slot, commitIndex: Slot, to: NodeID)
    /// The peer asked for catch-up no longer holds the slots this replica lacks: the log continues
    /// from `base`. Start the log store afresh after `base.slot`, keeping `base` with it.
    case installBase(LogBase)
    /// Answer the client that appended `key`.
    case appendOutcome(ClientKey, AppendOutcome)
    /// Answer the client whose trim request was `id`.
    case trimOutcome(id: UInt64, TrimOutcome)
    /// (Leader) `peer` holds less than it acknowledged: it lost state, and was told so.
    case peerLostState(NodeID, acknowledgedThrough: Slot, heldThrough: Slot)
    /// The leader `by` says this replica acknowledged slots it no longer holds: it recovers as a
    /// non-voter (`.recoveryStarted` is persisted), as after a loss found at start.
    case lostStateReported(by: NodeID, acknowledgedThrough: Slot, heldThrough: Slot)
    /// A leadership transfer request came to `outcome`.
    case transferOutcome(id: UInt64, TransferOutcome)
    /// The linearizable read `id` may be served: every entry acknowledged before it was requested
    /// is at or below `lastIndex`, which this replica has applied.
    case readReady(id: UInt64, lastIndex: UInt64)
    /// The read `id` cannot be served here: this replica is not (or no longer) the leader.
    case readRejected(id: UInt64, leader: NodeID?)
    /// The replica's role or known leader changed.
    case roleChanged(ReplicaRole, leader: NodeID?, ballot: Ballot?)
    /// A membership slot applied: `membership` governs the slots after `slot` (connect to members
    /// that joined, drop those that left; this replica itself may have left).
    case membershipChanged(Membership, slot: Slot)
    /// What the membership change request `id` came to.
    case membershipOutcome(id: UInt64, MembershipOutcome)
    /// The replica votes again after rebuilding lost state; it won `ballot` to get there.
    case votingRestored(ballot: Ballot)
    /// A message from `peer` failed validation against protocol state and was dropped unapplied.
    case messageDropped(from: NodeID, reason: MessageRejection)
}
