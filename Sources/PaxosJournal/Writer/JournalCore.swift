import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The state shared by a ``Journal``'s callers and its writer thread.
///
/// Appenders push onto `queue` under its mutex and signal `wake` only when the writer said it was
/// going to sleep (so each sleep is matched by exactly one signal and no wakeup is lost). The writer
/// publishes into `published` after each fdatasync; readers copy what they need out of it.
final class JournalCore: Sendable {
    /// The journal directory.
    let directory: String
    /// The options the journal was opened with.
    let options: JournalOptions
    /// The append queue and failure/closing flags.
    let queue = Mutex(WriterQueue())
    /// The index, watermarks and metrics.
    let published: Mutex<PublishedState>
    /// Wakes the sleeping writer.
    let wake = DispatchSemaphore(value: 0)
    /// Signalled by the writer thread as its last act.
    let writerExited = DispatchSemaphore(value: 0)
    /// The writer thread's id, so `close()` can tell when it runs on the writer itself.
    let writerThread = Mutex<pthread_t?>(nil)
    /// A lock the writer must release as it exits: set when `close()` ran on the writer thread
    /// (from a completion) and so could not wait for the writer to finish.
    let lockToReleaseOnExit = Mutex<JournalLock?>(nil)

    /// Whether the caller is the writer thread.
    var isWriterThread: Bool {
        writerThread.withLock { id in id.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    init(directory: String, options: JournalOptions, published: PublishedState) {
        self.directory = directory
        self.options = options
        self.published = Mutex(published)
    }

    /// Queues `request` for the writer, or completes it at once if the journal failed or closed.
    func enqueue(_ request: PendingAppend) {
        let outcome = queue.withLock { state -> Result<Bool, JournalError> in
            if let failure = state.failure { return .failure(failure) }
            if state.closing { return .failure(JournalError(.closed, "journal is closed", path: directory)) }
            state.pending.append(request)
            if state.writerSleeping, state.pending.count >= state.wakeAtCount {
                state.writerSleeping = false
                return .success(true)
            }
            return .success(false)
        }
        switch outcome {
        case .failure(let error): request.completion(.failure(error))
        case .success(true): wake.signal()
        case .success(false): break
        }
    }

    /// Blocks the writer until there is work; returns up to the batch limits of requests, or nil
    /// when the journal is closing and the queue is empty.
    ///
    /// When `cohort` has a target and fewer requests than that are queued, the writer first
    /// waits up to `cohort.patienceNanoseconds` for them (see ``CohortWait``); the outcome is
    /// reported back through `cohort`.
    func nextBatch(cohort: inout CohortWait) -> [PendingAppend]? {
        var waited = false
        while true {
            let step = queue.withLock { state -> NextStep in
                if !state.pending.isEmpty {
                    if !waited, !state.closing, let target = cohort.target, state.pending.count < target,
                        !fillsABatch(state.pending)
                    {
                        state.writerSleeping = true
                        state.wakeAtCount = target
                        return .waitForCohort(target)
                    }
                    return .take(takeBounded(&state.pending))
                }
                if state.closing { return .finish }
                state.writerSleeping = true
                state.wakeAtCount = 1
                return .sleep
            }
            switch step {
            case .finish:
                return nil
            case .take(let taken):
                return topUp(taken)
            case .sleep:
                wake.wait()
            case .waitForCohort(let target):
                waited = true
                let deadline = DispatchTime.now() + .nanoseconds(cohort.patienceNanoseconds)
                if wake.wait(timeout: deadline) == .timedOut {
                    // Either nobody signalled (take back the sleep), or a signal is on its way and
                    // must be consumed so the semaphore stays matched.
                    let signalled = queue.withLock { state -> Bool in
                        defer { state.writerSleeping = false }
                        return !state.writerSleeping
                    }
                    if signalled { wake.wait() }
                }
                let arrived = queue.withLock { $0.pending.count }
                cohort.record(waitedFor: target, arrived: arrived)
            }
        }
    }

    /// What the writer does next, decided under the queue's lock.
    private enum NextStep {
        case take([PendingAppend])
        case sleep
        case waitForCohort(Int)
        case finish
    }

    /// Whether `pending` already reaches a batch bound, so waiting for more would not grow it.
    private func fillsABatch(_ pending: [PendingAppend]) -> Bool {
        var records = 0
        var bytes = 0
        for request in pending {
            records += request.records.count
            bytes += request.payloadBytes
            if records >= options.maxBatchRecords || bytes >= options.maxBatchBytes { return true }
        }
        return false
    }

    /// With a group wait configured, sleeps once and adds what arrived meanwhile to a non-full batch.
    private func topUp(_ batch: [PendingAppend]) -> [PendingAppend] {
        let wait = options.groupWaitMicroseconds
        guard wait > 0 else { return batch }
        var batch = batch
        var records = batch.reduce(0) { $0 + $1.records.count }
        var bytes = batch.reduce(0) { $0 + $1.payloadBytes }
        guard records < options.maxBatchRecords, bytes < options.maxBatchBytes else { return batch }
        usleep(UInt32(clamping: wait))
        queue.withLock { state in
            while let next = state.pending.first,
                records + next.records.count <= options.maxBatchRecords,
                bytes + next.payloadBytes <= options.maxBatchBytes
            {
                batch.append(state.pending.removeFirst())
                records += next.records.count
                bytes += next.payloadBytes
            }
        }
        return batch
    }

    /// Removes the oldest requests that fit the batch bounds (always at least one).
    private func takeBounded(_ pending: inout [PendingAppend]) -> [PendingAppend] {
        var records = 0
        var bytes = 0
        var count = 0
        for request in pending {
            if count > 0,
                records + request.records.count > options.maxBatchRecords
                    || bytes + request.payloadBytes > options.maxBatchBytes
            {
                break
            }
            records += request.records.count
            bytes += request.payloadBytes
            count += 1
        }
        let batch = Array(pending.prefix(count))
        pending.removeFirst(count)
        return batch
    }

    /// Makes `error` final: fails `inFlight` and everything queued, and every later append.
    func fail(_ error: JournalError, inFlight: [PendingAppend]) {
        let queued = queue.withLock { state -> [PendingAppend] in
            if state.failure == nil { state.failure = error }
            let queued = state.pending
            state.pending.removeAll()
            return queued
        }
        for request in inFlight + queued { request.completion(.failure(error)) }
    }

    /// The final failure, if one happened.
    var failure: JournalError? { queue.withLock { $0.failure } }
}
