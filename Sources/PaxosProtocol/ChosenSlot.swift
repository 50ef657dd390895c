import PaxosCore

/// A slot as the committed log holds it: the chosen value, and where its entries landed.
///
/// Applying a chosen slot gives each of its entries the next log index, except an entry whose
/// key is already in the log (a retry that was proposed twice, e.g. across a leader change) or
/// that came before its predecessor in its client's stream: it gets none. The log store keeps the whole value (catch-up hands lagging replicas the value that
/// was chosen, not an edited one) together with `firstIndex` and the positions of those
/// skipped entries, so that an entry can be found by its index without replaying the log.
public struct ChosenSlot: Hashable, Sendable {
    public var slot: Slot
    public var value: SlotValue
    /// The log index of the first entry this slot added; one past the previous slot's last index
    /// when it added none.
    public var firstIndex: UInt64
    /// Positions in `value`'s entries that took no index (already in the log, or out of their
    /// stream's order), ascending.
    public var skippedPositions: [Int]

    public init(slot: Slot, value: SlotValue, firstIndex: UInt64, skippedPositions: [Int] = []) {
        self.slot = slot
        self.value = value
        self.firstIndex = firstIndex
        self.skippedPositions = skippedPositions
    }

    /// The entries that took an index, in index order from `firstIndex`.
    public var appliedEntries: [ClientEntry] {
        guard case .entries(let entries) = value else { return [] }
        if skippedPositions.isEmpty { return entries }
        let skipped = Set(skippedPositions)
        return entries.enumerated().filter { !skipped.contains($0.offset) }.map(\.element)
    }

    /// How many log indexes this slot took.
    public var appliedCount: UInt64 {
        guard case .entries(let entries) = value else { return 0 }
        return UInt64(entries.count - skippedPositions.count)
    }

    /// The last index this slot took; `firstIndex - 1` when it took none.
    public var lastIndex: UInt64 { firstIndex + appliedCount - 1 }
}
