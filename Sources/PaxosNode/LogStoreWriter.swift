import PaxosLogStore
import PaxosProtocol

/// The log store's writes, which complete off the event loop: the node process writes through the
/// ``LogStore`` itself; the whole-node simulation through a writer that waits for the store and
/// completes on the loop's own thread, so that a seed replays exactly. Reads stay on the store.
protocol LogStoreWriter: AnyObject, Sendable {
    /// Appends applied slots, continuing the store in slot order; `completion` runs once reads see them.
    func append(_ slots: [ChosenSlot], completion: @escaping @Sendable (Result<Slot, LogStoreError>) -> Void)

    /// Syncs every slot written so far; `completion` runs with the last synced slot.
    func sync(completion: @escaping @Sendable (Result<Slot, LogStoreError>) -> Void)
}

extension LogStore: LogStoreWriter {}
