import Synchronization

/// Bounds how many appended entries are in flight: the input side waits while the window is full
/// and the pipeline releases room as entries commit (from its event loop, without waiting).
final class WindowGate: Sendable {
    private struct State {
        var outstanding = 0
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = limit }

    /// Counts `count` more entries in flight; suspends while the window is full (until room is
    /// released or the gate is closed).
    func admit(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let mustWait = state.withLock { state -> Bool in
                state.outstanding += count
                guard state.outstanding >= limit, !state.closed else { return false }
                state.waiter = continuation
                return true
            }
            if !mustWait { continuation.resume() }
        }
    }

    /// `count` entries left the window.
    func release(_ count: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.outstanding -= count
            guard state.outstanding < limit else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The pipeline is done: a waiting producer goes on, and later admits never wait.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
