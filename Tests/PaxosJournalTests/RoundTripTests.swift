import PaxosCompression
import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// Records come back byte for byte, through every codec, size and segment boundary, after reopening.
@Suite struct RoundTripTests {
    static let sizes = [0, 1, 100, 64 << 10, 4 << 20]

    @Test(arguments: Codec.allCases)
    func everySizeRoundTripsAndSurvivesReopen(codec: Codec) async throws {
        try await withTemporaryDirectory { dir in
            var expected: [[UInt8]] = []
            let journal = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions(codec: codec))
            for (index, size) in Self.sizes.enumerated() {
                let record = JournalTestSupport.record(UInt64(index + 1), size: size)
                let sequence = try await journal.append(record)
                #expect(sequence == UInt64(index + 1))
                expected.append(record)
            }
            // Also a multi-record batch mixing the sizes, incompressible this time.
            let batch = Self.sizes.map { JournalTestSupport.noise($0, seed: UInt64($0)) }
            let range = try await journal.append(contentsOf: batch)
            #expect(range == UInt64(expected.count + 1)...UInt64(expected.count + batch.count))
            expected += batch
            #expect(journal.durableSequence == UInt64(expected.count))
            for (index, record) in expected.enumerated() {
                #expect(try journal.readRecord(at: UInt64(index + 1)) == record)
            }
            journal.close()

            let reopened = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions(codec: codec))
            defer { reopened.close() }
            #expect(reopened.durableSequence == UInt64(expected.count))
            let all = try JournalTestSupport.readAll(reopened)
            #expect(all.map(\.bytes) == expected)
            #expect(all.map(\.sequence) == Array(1...UInt64(expected.count)))
            // The 4 MiB record does not fit a 64 KiB segment: it got a segment of its own size.
            let scan = try JournalScanner.scan(directory: dir)
            #expect(scan.corruption == nil && scan.tornTail == nil)
            #expect(scan.segments.contains { $0.fileSize > 4 << 20 })
        }
    }

    @Test(arguments: [Codec.lz4, .zlib])
    func incompressibleDataIsStoredRaw(codec: Codec) async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions(codec: codec))
            let noise = JournalTestSupport.noise(8192, seed: 11)
            let text = Array(String(repeating: "compressible text ", count: 400).utf8)
            _ = try await journal.append(noise)
            _ = try await journal.append(text)
            journal.close()
            let frames = try JournalScanner.scan(directory: dir).segments.flatMap(\.frames)
            try #require(frames.count == 2)
            #expect(frames[0].codec == .none)
            #expect(frames[0].storedLength == frames[0].uncompressedLength)
            #expect(frames[1].codec == codec)
            #expect(frames[1].storedLength * 4 < frames[1].uncompressedLength)
            let reopened = try Journal.open(directory: dir)
            defer { reopened.close() }
            #expect(try reopened.readRecord(at: 1) == noise)
            #expect(try reopened.readRecord(at: 2) == text)
            let metrics = reopened.metrics
            #expect(metrics.batches == 0)
        }
    }

    @Test func readersStartAnywhereAcrossSegmentBoundaries() async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions(segmentSize: 8192))
            let written = try await JournalTestSupport.fill(journal, records: 600, batchSize: 7)
            #expect(try JournalTestSupport.segments(dir).count > 10)
            journal.close()
            let reopened = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions(segmentSize: 8192))
            defer { reopened.close() }
            var generator = SeededGenerator(seed: 5)
            var starts: [UInt64] = [1, 600]
            // Every segment's first record, and random places.
            starts += try JournalTestSupport.segments(dir).compactMap {
                JournalFormat.baseSequence(fromFileName: String($0.split(separator: "/").last ?? ""))
            }
            starts += (0..<20).map { _ in UInt64.random(in: 1...600, using: &generator) }
            for start in starts {
                let records = try JournalTestSupport.readAll(reopened, from: start)
                #expect(records.first?.sequence == start)
                #expect(records.map(\.bytes) == Array(written[Int(start - 1)...]))
                #expect(try reopened.readRecord(at: start) == written[Int(start - 1)])
            }
            var pastEnd = reopened.records(from: 601)
            #expect(try pastEnd.next() == nil)
            #expect(throws: JournalError.self) { try reopened.readRecord(at: 601) }
            #expect(throws: JournalError.self) { try reopened.readRecord(at: 0) }
            // Appending after reopen continues the numbering, and a live iterator sees it.
            var live = reopened.records(from: 600)
            #expect(try live.next()?.sequence == 600)
            #expect(try live.next() == nil)
            #expect(try await reopened.append([1, 2, 3]) == 601)
            #expect(try live.next() == JournalRecord(sequence: 601, bytes: [1, 2, 3]))
        }
    }

    @Test func callbackAppendCompletesWithSequence() async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir)
            defer { journal.close() }
            let sequence = await withCheckedContinuation { continuation in
                journal.append([42]) { result in continuation.resume(returning: try? result.get()) }
            }
            #expect(sequence == 1)
            await #expect(throws: JournalError.self) { try await journal.append(contentsOf: []) }
        }
    }

    @Test func closedJournalRefusesAppendsAndReads() async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir)
            _ = try await journal.append([1])
            journal.close()
            journal.close()
            do throws(JournalError) {
                _ = try await journal.append([2])
                Issue.record("append after close succeeded")
            } catch {
                #expect(error.code == .closed)
            }
            #expect(throws: JournalError.self) { try journal.readRecord(at: 1) }
        }
    }
}
