import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// Concurrent appends share fsyncs, and every one still gets its own sequence number and bytes.
@Suite struct GroupCommitTests {
    @Test func concurrentAppendsShareFsyncs() async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions())
            let tasks = 200
            let results = try await withThrowingTaskGroup(of: (Int, UInt64).self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        (task, try await journal.append(JournalTestSupport.record(UInt64(task) + 10_000)))
                    }
                }
                var results: [(Int, UInt64)] = []
                for try await result in group { results.append(result) }
                return results
            }
            let sequences = Set(results.map(\.1))
            #expect(sequences.count == tasks)
            #expect(sequences == Set(1...UInt64(tasks)))
            let metrics = journal.metrics
            #expect(metrics.recordsWritten == tasks)
            #expect(metrics.fsyncCount < tasks)
            #expect(metrics.batches == metrics.fsyncCount)
            #expect(metrics.recordsPerFsync > 1)
            #expect(metrics.fsyncLatencyNanoseconds.totalCount == UInt64(metrics.fsyncCount))
            #expect(metrics.bytesUncompressed > 0 && metrics.bytesStored > 0)
            for (task, sequence) in results {
                #expect(try journal.readRecord(at: sequence) == JournalTestSupport.record(UInt64(task) + 10_000))
            }
            journal.close()
        }
    }

    @Test func idleWriterSyncsASingleRecordAtOnce() async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir)
            defer { journal.close() }
            for expected in 1...5 as ClosedRange<UInt64> {
                #expect(try await journal.append([UInt8(expected)]) == expected)
                #expect(journal.durableSequence == expected)
            }
            #expect(journal.metrics.fsyncCount == 5)
        }
    }

    @Test func batchesRespectTheRecordBound() async throws {
        try await withTemporaryDirectory { dir in
            var options = JournalOptions()
            options.maxBatchRecords = 3
            options.groupWaitMicroseconds = 2000
            let journal = try Journal.open(directory: dir, options: options)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<30 { group.addTask { _ = try await journal.append([UInt8(index)]) } }
                try await group.waitForAll()
            }
            journal.close()
            let frames = try JournalScanner.scan(directory: dir).segments.flatMap(\.frames)
            #expect(frames.allSatisfy { $0.recordCount <= 3 })
            #expect(frames.reduce(0) { $0 + $1.recordCount } == 30)
        }
    }
}
