import Synchronization

/// A long-lived append connection for callers that append one entry at a time, often (a service
/// writing its events, a benchmark client): one connection and one pipeline serve every call, so
/// an append costs one round of consensus, not a new connection.
///
/// Calls may come from many tasks at once; each gets its own index. If the cluster cannot commit
/// an entry within the timeout, that call and every later one fail; open a new session to go on.
public final class AppendSession: Sendable {
    private let queue = EntryQueue()
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(client: PaxosLogClient, timeout: Duration) {
        let queue = self.queue
        let running = Task {
            let outcome: ClientError
            do {
                let report = try await client.appendStream(timeout: timeout, window: 100_000) {
                    await queue.nextBatch()
                } onCommitted: { committed in
                    queue.resolve(committed)
                }
                outcome = ClientError(
                    report.unconfirmed > 0
                        ? "\(report.unconfirmed) entries could not be confirmed within \(timeout)"
                        : "the session is closed")
            } catch let error as ClientError {
                outcome = error
            } catch {
                outcome = ClientError("\(error)")
            }
            queue.fail(outcome)
        }
        task.withLock { $0 = running }
    }

    /// Appends `entry`; returns its index once a majority has it on disk.
    public func append(_ entry: [UInt8]) async throws -> UInt64 {
        try await withCheckedThrowingContinuation { continuation in
            queue.push(entry, waiter: continuation)
        }
    }

    /// Ends the session after the entries already handed over are confirmed.
    public func close() async {
        queue.finish()
        let running = task.withLock { $0 }
        await running?.value
    }
}

/// Entries waiting to be sent and callers waiting for their index. Positions are handed out in
/// the order entries are pushed, which is the order the pipeline receives them.
private final class EntryQueue: Sendable {
    private struct State {
        var buffered: [[UInt8]] = []
        var finished = false
        var failure: ClientError?
        var reader: CheckedContinuation<[[UInt8]]?, Never>?
        var nextPosition = 0
        var waiters: [Int: CheckedContinuation<UInt64, Error>] = [:]
    }

    private let state = Mutex(State())

    func push(_ entry: [UInt8], waiter: CheckedContinuation<UInt64, Error>) {
        let (failure, reader) = state.withLock { state -> (ClientError?, CheckedContinuation<[[UInt8]]?, Never>?) in
            if let failure = state.failure { return (failure, nil) }
            if state.finished { return (ClientError("the session is closed"), nil) }
            state.waiters[state.nextPosition] = waiter
            state.nextPosition += 1
            state.buffered.append(entry)
            guard let reader = state.reader else { return (nil, nil) }
            state.reader = nil
            return (nil, reader)
        }
        if let failure { waiter.resume(throwing: failure) }
        if let reader { reader.resume(returning: takeBuffered()) }
    }

    /// Everything pushed so far, or waits for the next entry; nil once finished and drained.
    func nextBatch() async -> [[UInt8]]? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [[UInt8]]?? in
                if !state.buffered.isEmpty || state.finished || state.failure != nil {
                    defer { state.buffered = [] }
                    return .some(state.buffered.isEmpty ? nil : state.buffered)
                }
                state.reader = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func takeBuffered() -> [[UInt8]]? {
        state.withLock { state in
            defer { state.buffered = [] }
            return state.buffered.isEmpty ? nil : state.buffered
        }
    }

    func resolve(_ committed: [(position: Int, index: UInt64)]) {
        let ready = state.withLock { state in
            committed.compactMap { entry in state.waiters.removeValue(forKey: entry.position).map { ($0, entry.index) }
            }
        }
        for (waiter, index) in ready { waiter.resume(returning: index) }
    }

    func finish() {
        let reader = state.withLock { state -> CheckedContinuation<[[UInt8]]?, Never>? in
            state.finished = true
            defer { state.reader = nil }
            return state.reader
        }
        reader?.resume(returning: nil)
    }

    func fail(_ error: ClientError) {
        let (waiters, reader) = state.withLock { state in
            state.failure = error
            defer {
                state.waiters = [:]
                state.reader = nil
            }
            return (Array(state.waiters.values), state.reader)
        }
        for waiter in waiters { waiter.resume(throwing: error) }
        reader?.resume(returning: nil)
    }
}

extension PaxosLogClient {
    /// Opens a session that keeps one connection for many appends.
    public func openSession(timeout: Duration = .seconds(30)) -> AppendSession {
        AppendSession(client: self, timeout: timeout)
    }
}
