import Dispatch
import PaxosLogStore
import PaxosProtocol
import Synchronization

@testable import PaxosNode

/// Writes to a real log store and waits for each write before returning, then completes on the
/// caller's thread: the node's event loop (an `EmbeddedEventLoop`, which only its own thread may
/// touch) hears of the write at a point the simulation's seed decides, not when a writer thread
/// happens to finish, so that a seed replays exactly.
final class SteppedLogStoreWriter: LogStoreWriter {
    let store: LogStore

    init(store: LogStore) {
        self.store = store
    }

    func append(_ slots: [ChosenSlot], completion: @escaping @Sendable (Result<Slot, LogStoreError>) -> Void) {
        guard !slots.isEmpty else { return }  // as the store: nothing to write, no completion
        completion(Self.wait { done in store.append(slots, completion: done) })
    }

    func sync(completion: @escaping @Sendable (Result<Slot, LogStoreError>) -> Void) {
        completion(Self.wait { done in store.sync(completion: done) })
    }

    /// Starts a write and blocks until its completion ran on the store's writer thread.
    private static func wait(
        _ start: (@escaping @Sendable (Result<Slot, LogStoreError>) -> Void) -> Void
    ) -> Result<Slot, LogStoreError> {
        let result = Mutex<Result<Slot, LogStoreError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        start { outcome in
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }
            ?? .failure(LogStoreError(.inconsistent, "the log store completed without a result"))
    }
}
