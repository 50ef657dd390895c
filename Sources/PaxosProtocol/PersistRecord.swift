import PaxosCore

/// A record the replica asks its caller to make durable. Replaying every record, in order, with
/// `Replica.recover` restores the replica's acceptor state and its chosen prefix.
public enum PersistRecord: Hashable, Sendable {
    /// The acceptor promised `ballot`.
    case promise(Ballot)
    /// The acceptor accepted `values` in consecutive slots from `firstSlot` under `ballot`.
    case accepted(ballot: Ballot, firstSlot: Slot, values: [SlotValue])
    /// Slots through `commitIndex` are chosen; those accepted under `ballot` hold the chosen value.
    case committed(commitIndex: Slot, ballot: Ballot)
    /// Chosen values learned from another replica (catch-up).
    case chosen(firstSlot: Slot, values: [SlotValue])
    /// The log continues from `base`: the slots through `base.slot` were learned as a whole from
    /// another replica, which no longer held them one by one (they were trimmed).
    case base(LogBase)
    /// The records before this one may be incomplete (a lost or damaged journal was detected at
    /// start): from here on the replica does not vote until it has rebuilt its state from the
    /// others (see `Replica+Recovery.swift`). Written before anything else after the detection.
    case recoveryStarted
    /// The replica rebuilt its state and won `ballot` with promises from a majority of the others:
    /// it votes again, and never for a ballot below this one.
    case recoveryCompleted(ballot: Ballot)
    /// The node started, running as `incarnation`. Written at every start, before the node does
    /// anything else, so a journal exists (and records each run) from the first start on; the
    /// replica ignores it.
    case started(incarnation: UInt64)
}
