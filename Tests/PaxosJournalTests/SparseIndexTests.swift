import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// Sealed segments keep every 64th frame in memory; records between are found by reading frame
/// headers forward, by sequence number and when iterating.
@Suite struct SparseIndexTests {
    @Test func sealedSegmentsHoldSamplesAndEveryRecordIsStillFound() async throws {
        try await withTemporaryDirectory { dir in
            let options = JournalTestSupport.smallOptions(segmentSize: 64 << 10)
            let journal = try Journal.open(directory: dir, options: options)
            // One record per append and per frame: about 1,000 frames over several segments.
            let written = try await JournalTestSupport.fill(journal, records: 1_000)
            let checkSealed = { (journal: Journal) in
                let segments = journal.core.published.withLock { $0.index.segments }
                #expect(segments.count >= 3)
                for segment in segments.dropLast() {
                    #expect(segment.isSparse)
                    let frames = Int(segment.lastSequence - segment.baseSequence + 1)
                    #expect(segment.frameCount == (frames + SegmentIndex.sparseStride - 1) / SegmentIndex.sparseStride)
                }
                #expect(segments.last?.isSparse == false)
            }
            checkSealed(journal)
            for sequence in [1, 2, 63, 64, 65, 128, 500, 777, 999, 1_000] {
                #expect(try journal.readRecord(at: UInt64(sequence)) == written[sequence - 1], "record \(sequence)")
            }
            #expect(try JournalTestSupport.readAll(journal).map(\.bytes) == written)
            #expect(try JournalTestSupport.readAll(journal, from: 300).map(\.bytes) == Array(written[299...]))
            journal.close()

            // Reopened: the scan makes every segment but the last sparse too.
            let reopened = try Journal.open(directory: dir, options: options)
            defer { reopened.close() }
            checkSealed(reopened)
            for sequence in stride(from: 1, through: 1_000, by: 37) {
                #expect(try reopened.readRecord(at: UInt64(sequence)) == written[sequence - 1], "record \(sequence)")
            }
            #expect(try JournalTestSupport.readAll(reopened).map(\.bytes) == written)
        }
    }
}
