import Synchronization

/// A long-lived append connection for callers that append one entry at a time, often (a service
/// writing its events, a benchmark client): one connection and one pipeline serve every call, so
/// an append costs one round of consensus, not a new connection.
///
/// Calls may come from many tasks at once; each gets its own index. If the cluster cannot commit
/// an entry within the timeout, that call and every later one fail; open a new session to go on.
///
/// An append goes straight to the pipeline on its connection's event loop and its index comes
/// straight back to the caller's continuation: on a small machine every task hand-off on that path
/// is a thread switch, and those, not consensus, set the cost of a round trip.
public final class AppendSession: Sendable {
    private let queue: EntryQueue
    private let driver: EventLoopAppendDriver
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(client: PaxosLogClient, timeout: Duration) {
        let loop = client.group.next()
        let pipeline = client.makePipeline(timeout: timeout, preferredNode: nil)
        let queue = EntryQueue()
        let driver = EventLoopAppendDriver(pipeline: pipeline, cluster: client.cluster, loop: loop) {
            queue.resolve($0)
        }
        self.queue = queue
        self.driver = driver
        driver.start()
        let running = Task {
            let outcome: ClientError
            do {
                let report = try await driver.result.get()
                outcome = ClientError(
                    report.unconfirmed > 0
                        ? "\(report.unconfirmed) entries could not be confirmed within \(timeout): \(report.problem)"
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
            queue.push(entry, waiter: continuation, to: driver)
        }
    }

    /// Ends the session after the entries already handed over are confirmed.
    public func close() async {
        queue.finish(driver)
        let running = task.withLock { $0 }
        await running?.value
    }
}

/// Callers waiting for their index, by input position. Positions are handed out in the order
/// entries are pushed, under the same lock that yields them to the pipeline, so the pipeline sees
/// them in position order.
private final class EntryQueue: Sendable {
    private struct State {
        var finished = false
        var failure: ClientError?
        var nextPosition = 0
        var waiters: [Int: CheckedContinuation<UInt64, Error>] = [:]
    }

    private let state = Mutex(State())

    func push(_ entry: [UInt8], waiter: CheckedContinuation<UInt64, Error>, to driver: EventLoopAppendDriver) {
        let failure = state.withLock { state -> ClientError? in
            if let failure = state.failure { return failure }
            if state.finished { return ClientError("the session is closed") }
            state.waiters[state.nextPosition] = waiter
            state.nextPosition += 1
            driver.send(.input([entry]))
            return nil
        }
        if let failure { waiter.resume(throwing: failure) }
    }

    func resolve(_ committed: [(position: Int, index: UInt64)]) {
        let ready = state.withLock { state in
            committed.compactMap { entry in state.waiters.removeValue(forKey: entry.position).map { ($0, entry.index) }
            }
        }
        for (waiter, index) in ready { waiter.resume(returning: index) }
    }

    func finish(_ driver: EventLoopAppendDriver) {
        state.withLock { state in
            guard !state.finished else { return }
            state.finished = true
            driver.send(.inputFinished)
        }
    }

    func fail(_ error: ClientError) {
        let waiters = state.withLock { state in
            state.failure = error
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }
}

extension PaxosLogClient {
    /// Opens a session that keeps one connection for many appends.
    public func openSession(timeout: Duration = .seconds(30)) -> AppendSession {
        AppendSession(client: self, timeout: timeout)
    }
}
