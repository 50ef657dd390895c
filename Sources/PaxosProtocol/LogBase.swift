/// The state of the committed log just before a given slot, enough to continue applying slots
/// from there without the slots before it: what a node keeps when it deletes the start of its log
/// store, and what it hands a replica that lags behind that point.
///
/// A replica that applies chosen slots needs, besides their values, the index the next entry gets
/// and the de-duplication table (which decides whether a retried entry takes an index). Both are
/// exact only at the slot they were taken at, so a base is a snapshot taken at a checkpoint, never
/// reconstructed.
public struct LogBase: Hashable, Sendable {
    /// Every slot through this one is chosen and applied; the log store holds the slots after it.
    public var slot: Slot
    /// The index of the last entry through `slot`.
    public var lastIndex: UInt64
    /// The log's first index agreed through `slot` (trims).
    public var firstIndex: UInt64
    /// The de-duplication table after `slot`.
    public var dedup: [DedupSessionSnapshot]
    /// The membership agreed through `slot`; nil when it never changed from the cluster's first.
    public var membership: Membership?

    public init(
        slot: Slot, lastIndex: UInt64, firstIndex: UInt64, dedup: [DedupSessionSnapshot], membership: Membership? = nil
    ) {
        self.slot = slot
        self.lastIndex = lastIndex
        self.firstIndex = firstIndex
        self.dedup = dedup
        self.membership = membership
    }

    /// The base of an empty log.
    public static let empty = LogBase(slot: 0, lastIndex: 0, firstIndex: 1, dedup: [])
}

/// One session of the de-duplication table, as checkpoints and log bases store it.
public struct DedupSessionSnapshot: Hashable, Sendable {
    public var session: UInt64
    public var highest: UInt64
    public var lastIndex: UInt64
    /// Sequence numbers in ascending order, and the index each was applied at.
    public var sequences: [UInt64]
    public var indexes: [UInt64]

    public init(session: UInt64, highest: UInt64, lastIndex: UInt64, sequences: [UInt64], indexes: [UInt64]) {
        self.session = session
        self.highest = highest
        self.lastIndex = lastIndex
        self.sequences = sequences
        self.indexes = indexes
    }
}
