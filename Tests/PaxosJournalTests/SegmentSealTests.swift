import Foundation
import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// A journal that trusts seals opens sealed segments from them (a header read each) instead of
/// reading them; a seal that does not match its segment is ignored, and the frames it describes
/// are still verified when read.
@Suite struct SegmentSealTests {
    static func sealedOptions() -> JournalOptions {
        var options = JournalTestSupport.smallOptions(segmentSize: 64 << 10)
        options.trustsSealedSegments = true
        return options
    }

    static func seals(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(SegmentSeal.suffix) }
            .sorted()
    }

    @Test func sealedSegmentsReopenFromTheirSealsWithEveryRecordFound() async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir, options: Self.sealedOptions())
            let written = try await JournalTestSupport.fill(journal, records: 1_000)
            let segments = try JournalTestSupport.segments(dir)
            #expect(segments.count >= 3)
            // Every segment but the one being written has its seal.
            #expect(try Self.seals(in: dir).count == segments.count - 1)
            journal.close()

            let reopened = try Journal.open(directory: dir, options: Self.sealedOptions())
            let index = reopened.core.published.withLock { $0.index.segments }
            #expect(index.dropLast().allSatisfy { $0.isSparse })
            #expect(reopened.lastSequence == 1_000)
            for sequence in stride(from: 1, through: 1_000, by: 37) {
                #expect(try reopened.readRecord(at: UInt64(sequence)) == written[sequence - 1], "record \(sequence)")
            }
            #expect(try JournalTestSupport.readAll(reopened).map(\.bytes) == written)
            // Appending goes on where it was.
            let more = try await JournalTestSupport.fill(reopened, records: 10)
            #expect(try reopened.readRecord(at: 1_010) == more.last)
            reopened.close()
        }
    }

    @Test func aSealThatDoesNotMatchItsSegmentIsIgnored() async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir, options: Self.sealedOptions())
            let written = try await JournalTestSupport.fill(journal, records: 1_000)
            journal.close()
            let seals = try Self.seals(in: dir)
            try #require(seals.count >= 2)
            // One seal damaged, another claiming a different file size: both segments are read.
            var damaged = try JournalTestSupport.bytes(of: dir + "/" + seals[0])
            damaged[30] ^= 0xFF
            try JournalTestSupport.write(damaged, to: dir + "/" + seals[0])
            let segmentPath = dir + "/" + seals[1].dropLast(SegmentSeal.suffix.count)
            var wrong = try #require(SegmentSeal.read(for: segmentPath))
            wrong.fileSize += 8
            try wrong.write(for: segmentPath)

            let reopened = try Journal.open(directory: dir, options: Self.sealedOptions())
            defer { reopened.close() }
            #expect(try JournalTestSupport.readAll(reopened).map(\.bytes) == written)
        }
    }

    @Test func damageInASealedSegmentIsFoundWhenReadNotAtOpen() async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir, options: Self.sealedOptions())
            _ = try await JournalTestSupport.fill(journal, records: 600)
            journal.close()
            let first = try #require(try JournalTestSupport.segments(dir).first)
            var bytes = try JournalTestSupport.bytes(of: first)
            bytes[JournalFormat.segmentHeaderSize + 40] ^= 0x01  // inside the first frame
            try JournalTestSupport.write(bytes, to: first)

            // The default journal reads every segment at open and refuses it.
            #expect(throws: JournalError.self) { try Journal.open(directory: dir).close() }
            // One that trusts seals opens, and the damaged record fails its checksum when read.
            let trusting = try Journal.open(directory: dir, options: Self.sealedOptions())
            defer { trusting.close() }
            #expect(throws: JournalError.self) { try trusting.readRecord(at: 1) }
        }
    }

    @Test func deletingSegmentsDeletesTheirSeals() async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir, options: Self.sealedOptions())
            defer { journal.close() }
            _ = try await JournalTestSupport.fill(journal, records: 1_000)
            let before = try Self.seals(in: dir).count
            let deleted = try journal.truncate(before: 900)
            #expect(deleted >= 1)
            #expect(try Self.seals(in: dir).count == before - deleted)
        }
    }
}
