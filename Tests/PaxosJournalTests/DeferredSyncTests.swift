import PaxosTestSupport
import Synchronization
import Testing

@testable import PaxosJournal

#if canImport(Glibc)
    import Glibc
#endif

/// A journal that does not sync every batch (the node's log store): appends complete once
/// written, and only `sync`, leaving a segment and closing make them durable.
@Suite struct DeferredSyncTests {
    /// System calls that count fdatasyncs, and fail them once `failing` is set.
    final class SyncCounter: Sendable {
        let state = Mutex((count: 0, failing: false))
        var count: Int { state.withLock { $0.count } }

        var syscalls: JournalSyscalls {
            var syscalls = JournalSyscalls.system
            syscalls.fdatasync = { [self] fd in
                let failing = state.withLock { state in
                    state.count += 1
                    return state.failing
                }
                return failing ? .failure(.eio) : JournalSyscalls.system.fdatasync(fd)
            }
            return syscalls
        }
    }

    static func options(_ counter: SyncCounter, segmentSize: Int = 64 << 10) -> JournalOptions {
        var options = JournalTestSupport.smallOptions(segmentSize: segmentSize)
        options.syncsEveryBatch = false
        options.reachInterval = nil
        options.syscalls = counter.syscalls
        return options
    }

    func sync(_ journal: Journal) async throws -> UInt64 {
        let result = await withCheckedContinuation { continuation in
            journal.sync { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    @Test func appendsCompleteUnsyncedAndSyncMakesThemDurable() async throws {
        try await withTemporaryDirectory { dir in
            let counter = SyncCounter()
            let journal = try Journal.open(directory: dir, options: Self.options(counter))
            let before = counter.count  // creating the first segment syncs it
            _ = try await JournalTestSupport.fill(journal, records: 20)
            #expect(counter.count == before, "no fdatasync per batch")
            #expect(journal.durableSequence == 20, "written and readable")
            #expect(try JournalTestSupport.readAll(journal).count == 20)
            #expect(journal.syncedSequence == 0)
            #expect(try await sync(journal) == 20)
            #expect(counter.count == before + 1)
            #expect(journal.syncedSequence == 20)
            journal.close()
        }
    }

    @Test func leavingASegmentAndClosingSyncIt() async throws {
        try await withTemporaryDirectory { dir in
            let counter = SyncCounter()
            let journal = try Journal.open(directory: dir, options: Self.options(counter, segmentSize: 8 << 10))
            // Records of 1 KiB of noise: a few fill a segment.
            for sequence in UInt64(1)...30 {
                _ = try await journal.append(JournalTestSupport.noise(1024, seed: sequence))
            }
            #expect(try JournalTestSupport.segments(dir).count > 2)
            #expect(journal.syncedSequence > 0, "the segments left behind were synced")
            #expect(journal.syncedSequence < 30)
            journal.close()
            let reopened = try Journal.open(directory: dir, options: Self.options(counter))
            #expect(reopened.syncedSequence == 30)
            #expect(try JournalTestSupport.readAll(reopened).count == 30)
            reopened.close()
        }
    }

    @Test func aFailedSyncIsFinal() async throws {
        try await withTemporaryDirectory { dir in
            let counter = SyncCounter()
            let journal = try Journal.open(directory: dir, options: Self.options(counter))
            defer { journal.close() }
            _ = try await JournalTestSupport.fill(journal, records: 5)
            counter.state.withLock { $0.failing = true }
            await #expect(throws: JournalError.self) { try await sync(journal) }
            #expect(journal.syncedSequence == 0)
            await #expect(throws: JournalError.self) { _ = try await journal.append([1]) }
        }
    }
}
