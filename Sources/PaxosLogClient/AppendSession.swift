import Synchronization

/// A long-lived append connection for callers that append one entry at a time, often (a service
/// writing its events, a benchmark client): one connection and one pipeline serve every call, so
/// an append costs one round of consensus, not a new connection.
///
/// Calls may come from many tasks at once; each gets its own index. If the cluster cannot commit
/// an entry within the timeout, that call and every later one fail; open a new session to go on.
public final class AppendSession: Sendable {
    private struct Waiters {
        var next = 0
        var byPosition: [Int: CheckedContinuation<UInt64, Error>] = [:]
        var failure: ClientError?
    }

    private let input: AsyncStream<[UInt8]>.Continuation
    private let waiters = Mutex(Waiters())
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(client: PaxosLogClient, timeout: Duration) {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        input = continuation
        let source = EntrySource(stream)
        let waiters = self.waiters
        let running = Task {
            let outcome: ClientError
            do {
                let report = try await client.appendStream(timeout: timeout, window: 100_000) {
                    await source.nextBatch()
                } onCommitted: { committed in
                    let ready = waiters.withLock { state in
                        committed.compactMap { entry in
                            state.byPosition.removeValue(forKey: entry.position).map { ($0, entry.index) }
                        }
                    }
                    for (continuation, index) in ready { continuation.resume(returning: index) }
                }
                outcome = ClientError(
                    report.unconfirmed > 0
                        ? "\(report.unconfirmed) entries could not be confirmed within \(timeout)" : "the session is closed")
            } catch let error as ClientError {
                outcome = error
            } catch {
                outcome = ClientError("\(error)")
            }
            let failed = waiters.withLock { state -> [CheckedContinuation<UInt64, Error>] in
                state.failure = outcome
                defer { state.byPosition = [:] }
                return Array(state.byPosition.values)
            }
            for continuation in failed { continuation.resume(throwing: outcome) }
        }
        task.withLock { $0 = running }
    }

    /// Appends `entry`; returns its index once a majority has it on disk.
    public func append(_ entry: [UInt8]) async throws -> UInt64 {
        try await withCheckedThrowingContinuation { continuation in
            let failure = waiters.withLock { state -> ClientError? in
                if let failure = state.failure { return failure }
                state.byPosition[state.next] = continuation
                state.next += 1
                // Yielding under the lock keeps input order equal to position order.
                input.yield(entry)
                return nil
            }
            if let failure { continuation.resume(throwing: failure) }
        }
    }

    /// Ends the session after the entries already handed over are confirmed.
    public func close() async {
        input.finish()
        let running = task.withLock { $0 }
        await running?.value
    }
}

/// Hands the pipeline whatever entries have arrived: everything buffered, or waits for one.
private actor EntrySource {
    private var iterator: AsyncStream<[UInt8]>.AsyncIterator

    init(_ stream: AsyncStream<[UInt8]>) {
        iterator = stream.makeAsyncIterator()
    }

    /// Called by the pipeline's single input task, one call at a time, so taking the iterator
    /// out across the suspension cannot race with another call.
    func nextBatch() async -> [[UInt8]]? {
        var current = iterator
        let first = await current.next()
        iterator = current
        return first.map { [$0] }
    }
}

extension PaxosLogClient {
    /// Opens a session that keeps one connection for many appends.
    public func openSession(timeout: Duration = .seconds(30)) -> AppendSession {
        AppendSession(client: self, timeout: timeout)
    }
}
