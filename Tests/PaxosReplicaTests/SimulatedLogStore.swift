import PaxosProtocol
import PaxosReplica

/// The node's log store as the scenario tests and the simulation see it: the chosen slots a
/// replica applied, in slot order, surviving its restarts (unless a test takes them away), with
/// the bases `LogStore` keeps and its trims (whole "segments" of `slotsPerSegment` slots).
struct SimulatedLogStore {
    /// The slots held, from `firstSlot` on.
    private(set) var slots: [ChosenSlot] = []
    private(set) var firstSlot: Slot = 1
    /// The bases kept, by slot (one per segment, as `LogStore.recordBase` keeps them).
    private(set) var bases: [Slot: LogBase] = [:]
    /// The base the store was restarted from (`reset`), if it was.
    private(set) var startBase: LogBase?
    static let slotsPerSegment: Slot = 4

    var lastSlot: Slot { firstSlot + Slot(slots.count) - 1 }

    /// Records an applied slot; replays of slots already held are ignored, as the node does.
    mutating func append(_ chosen: ChosenSlot) {
        guard chosen.slot > lastSlot else { return }
        precondition(chosen.slot == lastSlot + 1, "slot \(chosen.slot) applied after \(lastSlot)")
        slots.append(chosen)
    }

    /// Loses the last `count` slots (a log store whose unsynced tail was lost).
    mutating func dropLast(_ count: Int) {
        slots.removeLast(min(count, slots.count))
    }

    /// Keeps only the first `count` slots held, and the bases up to the last of them: damage cut
    /// away (`LogStore.repair`), below whatever the node synced.
    mutating func cutAtDamage(keeping count: Int) {
        slots.removeLast(slots.count - min(count, slots.count))
        bases = bases.filter { $0.key <= lastSlot }
    }

    /// The newest base the store holds every slot after, up to its end
    /// (`LogStore.newestBaseToReplayFrom`), if one is kept.
    var newestBaseToReplayFrom: LogBase? {
        bases.filter { $0.key + 1 >= firstSlot && $0.key <= lastSlot }.max { $0.key < $1.key }?.value ?? startBase
    }

    func value(at slot: Slot) -> SlotValue? {
        slot >= firstSlot && slot <= lastSlot ? slots[Int(slot - firstSlot)].value : nil
    }

    /// The reply to `.serveCatchUp`: what the node reads from its log store, or its oldest base
    /// when the slots asked for were trimmed.
    func catchUpReply(fromSlot: Slot, commitIndex: Slot, configuration: ReplicaConfiguration) -> ReplicaMessage? {
        if fromSlot < firstSlot {
            guard let oldest = bases.keys.min(), let base = bases[oldest] else { return nil }
            return .catchUpBase(base, commitIndex: commitIndex)
        }
        var chunk = CatchUpChunk(configuration: configuration)
        var slot = fromSlot
        while slot <= commitIndex, chunk.hasRoom, let value = value(at: slot) {
            chunk.add(value)
            slot += 1
        }
        return .catchUpReply(firstSlot: fromSlot, values: chunk.values, commitIndex: commitIndex)
    }

    /// Keeps `base` when no base is kept in its "segment" or a later one (`LogStore.recordBase`).
    mutating func recordBase(_ base: LogBase) {
        guard base.slot > 0, base.slot <= lastSlot else { return }
        let segment = (base.slot - 1) / Self.slotsPerSegment
        if let newest = bases.keys.max(), (newest - 1) / Self.slotsPerSegment >= segment { return }
        bases[base.slot] = base
    }

    /// Drops the "segments" below the newest base before the slot holding `index` and `limit`,
    /// as `LogStore.trim` does.
    mutating func trim(before index: UInt64, keepingFrom limit: Slot) {
        let holding = slots.first { $0.lastIndex >= index }?.slot ?? lastSlot + 1
        let cut = min(holding, limit)
        guard let base = bases.keys.filter({ $0 + 1 <= cut }).max(), base + 1 > firstSlot else { return }
        let newFirst = max(firstSlot, ((base + 1 - 1) / Self.slotsPerSegment) * Self.slotsPerSegment + 1)
        guard newFirst > firstSlot else { return }
        slots.removeFirst(Int(newFirst - firstSlot))
        firstSlot = newFirst
        bases = bases.filter { $0.key >= base }
    }

    /// Starts afresh after `base` (`LogStore.reset`).
    mutating func reset(to base: LogBase) {
        slots = []
        firstSlot = base.slot + 1
        bases = [base.slot: base]
        startBase = base
    }

    /// The log users read: every applied entry held, in index order.
    var entries: [ClientEntry] { slots.flatMap(\.appliedEntries) }

    /// Brings a replica restored from its journal up to what this store holds, as the node does.
    mutating func restore(into replica: inout Replica) {
        if let base = replica.installedBase, base.slot > lastSlot {
            reset(to: base)
        } else if let base = startBase, base.slot > replica.commitIndex {
            replica.restoreBase(base)
        }
        while replica.commitIndex < lastSlot, let value = value(at: replica.commitIndex + 1) {
            replica.restoreChosen(value, at: replica.commitIndex + 1)
        }
    }
}
