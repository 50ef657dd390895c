import PaxosProtocol

/// A point of the sparse index from entry index to slot: `slot` holds the entries from
/// `firstIndex` on. One anchor per `LogStore.anchorStride` slots keeps the index at a few bytes
/// per thousand entries while a lookup reads at most that many slot records.
struct IndexAnchor: Sendable, Hashable {
    var slot: Slot
    var firstIndex: UInt64
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
