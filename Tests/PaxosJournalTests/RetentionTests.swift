import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// `truncate(before:)` drops whole segments below the cut, never part of one, never the last.
@Suite struct RetentionTests {
    @Test func truncateDropsWholeSegmentsOnly() async throws {
        try await withTemporaryDirectory { dir in
            let options = JournalTestSupport.smallOptions(segmentSize: 4096)
            let journal = try Journal.open(directory: dir, options: options)
            let written = try await JournalTestSupport.fill(journal, records: 120, batchSize: 2)
            let before = try SegmentReader.scan(path: try JournalTestSupport.segments(dir)[2])
            let cut = try #require(before.frames.first).firstSequence + 1  // inside the third segment

            let removed = try journal.truncate(before: cut)
            #expect(removed == 2)
            #expect(journal.firstSequence == before.header?.baseSequence)
            #expect(try JournalTestSupport.segments(dir).first == before.path)
            #expect(throws: JournalError.self) { try journal.readRecord(at: 1) }
            let first = journal.firstSequence
            #expect(try journal.readRecord(at: first) == written[Int(first - 1)])
            #expect(try journal.truncate(before: cut) == 0)

            // Never the segment being written, even when everything is below the cut.
            #expect(try journal.truncate(before: 1_000_000) > 0)
            #expect(try JournalTestSupport.segments(dir).count == 1)
            #expect(try await journal.append([1]) == 121)
            journal.close()

            let reopened = try Journal.open(directory: dir, options: options)
            defer { reopened.close() }
            let records = try JournalTestSupport.readAll(reopened, from: reopened.firstSequence)
            #expect(records.last == JournalRecord(sequence: 121, bytes: [1]))
        }
    }
}
