import DequeModule
import PaxosProtocol

/// The chosen values of the most recent slots, the only ones a replica keeps in memory.
///
/// The committed log lives in the node's log store on disk; this window serves what is asked for
/// often and must not wait for a disk read: catch-up of a replica a little behind, and the chosen
/// values a promise reports to a candidate. It always ends at the replica's commit index and
/// holds at most `maxSlots` slots and, beyond its newest slot, at most `maxBytes` bytes.
struct RecentChosenValues: Sendable {
    let maxSlots: Int
    let maxBytes: Int
    /// The slot of `values.first`; the next slot to append when the window is empty.
    private(set) var firstSlot: Slot = 1
    /// A ring buffer: dropping the oldest releases it at once.
    private var values: Deque<SlotValue> = []
    private var bytes = 0

    init(maxSlots: Int, maxBytes: Int) {
        precondition(maxSlots >= 1 && maxBytes >= 1, "the window holds at least one slot")
        self.maxSlots = maxSlots
        self.maxBytes = maxBytes
    }

    var count: Int { values.count }

    /// The slot after the newest one held.
    var endSlot: Slot { firstSlot + Slot(count) }

    /// Starts the window afresh at `slot` (after a restart from a checkpoint: nothing is held).
    mutating func reset(at slot: Slot) {
        values = []
        bytes = 0
        firstSlot = slot
    }

    /// Adds the value chosen in `slot`, which must be `endSlot`, dropping the oldest past the bounds.
    mutating func append(_ value: SlotValue, at slot: Slot) {
        precondition(slot == endSlot, "chosen values enter the window in slot order")
        values.append(value)
        bytes += value.byteCount
        while count > 1 && (count > maxSlots || bytes > maxBytes) {
            bytes -= values.removeFirst().byteCount
            firstSlot += 1
        }
    }

    /// The value chosen in `slot`, if the window holds it.
    func value(at slot: Slot) -> SlotValue? {
        guard slot >= firstSlot, slot < endSlot else { return nil }
        return values[Int(slot - firstSlot)]
    }
}
