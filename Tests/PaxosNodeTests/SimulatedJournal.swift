import PaxosJournal
import PaxosProtocol
import Synchronization

@testable import PaxosNode

/// A node's journal in memory, for the whole-node simulation: appends wait until the simulation
/// completes them (in order, as fsyncs of batches do), fails them (an fsync error, after which the
/// journal refuses everything, as the real one does), or crashes (a prefix of what was written
/// reaches the disk, the rest is lost, and no completion ever runs).
///
/// Completions run on the simulation's thread when it delivers them, never on their own.
final class SimulatedJournal: NodeJournal {
    typealias Completion = @Sendable (Result<ClosedRange<UInt64>, JournalError>) -> Void

    private struct Batch: Sendable {
        var records: [[UInt8]]
        var sequences: ClosedRange<UInt64>
        var completion: Completion
    }

    private struct State: Sendable {
        var durable: [[UInt8]] = []
        var pending: [Batch] = []
        var lastSequence: UInt64 = 0
        var failure: JournalError?
    }

    private let state = Mutex(State())

    var directory: String { "/nonexistent/simulated-journal" }
    var metrics: JournalMetrics { JournalMetrics() }
    var lastSequence: UInt64 { state.withLock { $0.lastSequence } }

    /// The records on disk, in order.
    var durableRecords: [[UInt8]] { state.withLock { $0.durable } }

    /// How many appends wait for their fsync.
    var pendingBatches: Int { state.withLock { $0.pending.count } }

    func append(contentsOf records: [[UInt8]], completion: @escaping Completion) {
        let refused = state.withLock { state -> JournalError? in
            if let failure = state.failure { return failure }
            let first = state.lastSequence + 1
            state.lastSequence += UInt64(records.count)
            state.pending.append(Batch(records: records, sequences: first...state.lastSequence, completion: completion))
            return nil
        }
        if let refused { completion(.failure(refused)) }
    }

    func truncate(before sequence: UInt64) throws(JournalError) -> Int { 0 }

    /// Writes `records` durably at once: what `NodeServer` writes before the node starts.
    func appendDurably(_ records: [[UInt8]]) {
        state.withLock { state in
            state.durable += records
            state.lastSequence += UInt64(records.count)
        }
    }

    /// The first `count` waiting appends become durable, and their completions run.
    func complete(_ count: Int) {
        let done = state.withLock { state -> [Batch] in
            let done = Array(state.pending.prefix(count))
            state.pending.removeFirst(done.count)
            state.durable += done.flatMap(\.records)
            return done
        }
        for batch in done { batch.completion(.success(batch.sequences)) }
    }

    /// Test-only sabotage: the first `count` waiting appends are reported durable, but nothing is
    /// written (a disk that lies about fsync, or a journal that hides its failures).
    func completeWithoutWriting(_ count: Int) {
        let done = state.withLock { state -> [Batch] in
            let done = Array(state.pending.prefix(count))
            state.pending.removeFirst(done.count)
            return done
        }
        for batch in done { batch.completion(.success(batch.sequences)) }
    }

    /// The next fsync fails: every waiting append fails, and so does every later one.
    func failNextSync() {
        let error = JournalError(.fsyncFailed, "simulated fsync failure", path: directory)
        let failed = state.withLock { state -> [Batch] in
            state.failure = error
            defer { state.pending = [] }
            return state.pending
        }
        for batch in failed { batch.completion(.failure(error)) }
    }

    /// The process died: the first `survivors` waiting appends reached the disk anyway, the rest
    /// are lost, and no completion runs. The next process opens the journal afresh.
    func crash(survivors: Int) {
        state.withLock { state in
            state.durable += state.pending.prefix(survivors).flatMap(\.records)
            state.pending = []
            state.failure = nil
            state.lastSequence = UInt64(state.durable.count)
        }
    }
}
