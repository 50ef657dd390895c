import PaxosProtocol
import PaxosReplica

/// The node's log store as the scenario tests and the simulation see it: the chosen slots a
/// replica applied, in slot order, surviving its restarts (unless a test takes them away).
struct SimulatedLogStore {
    private(set) var slots: [ChosenSlot] = []

    var lastSlot: Slot { Slot(slots.count) }

    /// Records an applied slot; replays of slots already held are ignored, as the node does.
    mutating func append(_ chosen: ChosenSlot) {
        guard chosen.slot > lastSlot else { return }
        precondition(chosen.slot == lastSlot + 1, "slot \(chosen.slot) applied after \(lastSlot)")
        slots.append(chosen)
    }

    /// Keeps only the first `count` slots (a log store whose unsynced tail was lost).
    mutating func keepFirst(_ count: Int) {
        slots.removeLast(max(0, slots.count - count))
    }

    func value(at slot: Slot) -> SlotValue? {
        slot >= 1 && slot <= lastSlot ? slots[Int(slot - 1)].value : nil
    }

    /// The reply to `.serveCatchUp`: what the node reads from its log store.
    func catchUpReply(fromSlot: Slot, commitIndex: Slot, configuration: ReplicaConfiguration) -> ReplicaMessage {
        var chunk = CatchUpChunk(configuration: configuration)
        var slot = fromSlot
        while slot <= commitIndex, chunk.hasRoom, let value = value(at: slot) {
            chunk.add(value)
            slot += 1
        }
        return .catchUpReply(firstSlot: fromSlot, values: chunk.values, commitIndex: commitIndex)
    }

    /// The log users read: every applied entry, in index order.
    var entries: [ClientEntry] { slots.flatMap(\.appliedEntries) }

    /// Brings a replica restored from its journal up to what this store holds.
    func restore(into replica: inout Replica) {
        while replica.commitIndex < lastSlot, let value = value(at: replica.commitIndex + 1) {
            replica.restoreChosen(value, at: replica.commitIndex + 1)
        }
    }
}
