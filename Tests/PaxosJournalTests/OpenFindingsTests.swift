import Foundation
import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// What opening a journal reports that may mean synced records are gone: the node treats any of
/// these as lost state and rebuilds before it votes.
@Suite struct OpenFindingsTests {
    @Test func aWholeJournalReportsNothing() async throws {
        try await withTemporaryDirectory { dir in
            let options = JournalTestSupport.smallOptions(segmentSize: 4096)
            let journal = try Journal.open(directory: dir, options: options)
            _ = try await JournalTestSupport.fill(journal, records: 120, batchSize: 2)
            journal.close()
            let reopened = try Journal.open(directory: dir, options: options)
            defer { reopened.close() }
            #expect(reopened.openFindings.possibleLoss == nil)
            #expect(try JournalHead.read(in: dir)?.segmentID == UInt64(try JournalTestSupport.segments(dir).count))
        }
    }

    @Test func deletingTheNewestSegmentsIsNoticed() async throws {
        try await withTemporaryDirectory { dir in
            let options = JournalTestSupport.smallOptions(segmentSize: 4096)
            let journal = try Journal.open(directory: dir, options: options)
            _ = try await JournalTestSupport.fill(journal, records: 120, batchSize: 2)
            journal.close()
            let segments = try JournalTestSupport.segments(dir)
            try #require(segments.count >= 3)
            // What is left opens cleanly, ending with a segment that was sealed whole…
            try FileManager.default.removeItem(atPath: segments[segments.count - 1])
            try FileManager.default.removeItem(atPath: segments[segments.count - 2])
            let reopened = try Journal.open(directory: dir, options: options)
            defer { reopened.close() }
            // …but HEAD remembers a newer segment.
            let finding = try #require(reopened.openFindings.missingSegments)
            #expect(finding.contains("segments were deleted"), "\(finding)")
            #expect(reopened.openFindings.possibleLoss != nil)
        }
    }

    @Test func aDamagedHeadIsAFindingToo() async throws {
        try await withTemporaryDirectory { dir in
            let options = JournalTestSupport.smallOptions(segmentSize: 4096)
            let journal = try Journal.open(directory: dir, options: options)
            _ = try await JournalTestSupport.fill(journal, records: 20, batchSize: 2)
            journal.close()
            var head = try JournalTestSupport.bytes(of: dir + "/HEAD")
            head[9] ^= 0x40
            try JournalTestSupport.write(head, to: dir + "/HEAD")
            let reopened = try Journal.open(directory: dir, options: options)
            defer { reopened.close() }
            #expect(reopened.openFindings.missingSegments != nil)
        }
    }

    @Test func aTruncatedLastSegmentAndATornTailAreFindings() async throws {
        try await withTemporaryDirectory { dir in
            let options = JournalTestSupport.smallOptions(segmentSize: 64 << 10)
            let journal = try Journal.open(directory: dir, options: options)
            _ = try await JournalTestSupport.fill(journal, records: 40, batchSize: 4)
            journal.close()
            let last = try #require(try JournalTestSupport.segments(dir).last)
            let bytes = try JournalTestSupport.bytes(of: last)
            let used = try SegmentReader.scan(path: last).endOffset
            // A torn tail: the last frame's end overwritten, the file still preallocated.
            var torn = bytes
            for offset in Int(used) - 8..<Int(used) { torn[offset] ^= 0xFF }
            try JournalTestSupport.write(torn, to: last)
            let tornOpen = try Journal.open(directory: dir, options: options)
            #expect(tornOpen.openFindings.tornTail != nil)
            tornOpen.close()
            // A truncated segment: shorter than it was preallocated.
            try JournalTestSupport.write(Array(bytes.prefix(Int(used))), to: last)
            let truncated = try Journal.open(directory: dir, options: options)
            defer { truncated.close() }
            #expect(truncated.openFindings.truncatedSegment != nil)
        }
    }
}

extension OpenFindingsTests {
    @Test func aSyncedTailLostAfterwardsIsNoticed() async throws {
        try await withTemporaryDirectory { dir in
            var options = JournalTestSupport.smallOptions(segmentSize: 64 << 10)
            options.reachInterval = .milliseconds(10)
            let journal = try Journal.open(directory: dir, options: options)
            _ = try await JournalTestSupport.fill(journal, records: 40, batchSize: 4)
            journal.close()
            #expect(ReachMarker.recorded(in: dir) == 40, "close records the durable end")
            let whole = try Journal.open(directory: dir, options: options)
            #expect(whole.openFindings.possibleLoss == nil)
            whole.close()

            // The last frames zeroed in place, the file keeping its size: a lost write. The
            // segments alone look whole (a clean end, then zeros).
            let last = try #require(try JournalTestSupport.segments(dir).last)
            let scan = try SegmentReader.scan(path: last)
            let cut = try #require(scan.frames.dropLast(2).last)
            var bytes = try JournalTestSupport.bytes(of: last)
            let end = Int(cut.endOffset)
            for offset in end..<Int(scan.endOffset) { bytes[offset] = 0 }
            try JournalTestSupport.write(bytes, to: last)
            let damaged = try Journal.open(directory: dir, options: options)
            defer { damaged.close() }
            #expect(damaged.openFindings.tornTail == nil && damaged.openFindings.truncatedSegment == nil)
            let finding = try #require(damaged.openFindings.lostTail)
            #expect(finding.contains("was durable through 40"), "\(finding)")
        }
    }
}
