import PaxosProtocol

/// A point of the sparse index from entry index to slot: `slot` holds the entries from
/// `firstIndex` on. One anchor per `LogStore.anchorStride` slots keeps the index at a few bytes
/// per thousand entries while a lookup reads at most that many slot records.
public struct IndexAnchor: Sendable, Hashable {
    public var slot: Slot
    public var firstIndex: UInt64

    public init(slot: Slot, firstIndex: UInt64) {
        self.slot = slot
        self.firstIndex = firstIndex
    }
}

/// Where a log store stood when a checkpoint was taken: its last slot then, that slot's last entry
/// index, and the index anchors through it. Opening the store from this reads only the slots
/// written after it.
public struct LogStorePosition: Sendable, Hashable {
    public var slot: Slot
    public var lastIndex: UInt64
    public var anchors: [IndexAnchor]

    public init(slot: Slot, lastIndex: UInt64, anchors: [IndexAnchor]) {
        self.slot = slot
        self.lastIndex = lastIndex
        self.anchors = anchors
    }
}

extension [IndexAnchor] {
    /// The last anchor whose first index is at or below `index` (the slot to start reading at).
    func anchor(before index: UInt64) -> IndexAnchor? {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle].firstIndex <= index { low = middle + 1 } else { high = middle }
        }
        return low > 0 ? self[low - 1] : nil
    }
}
