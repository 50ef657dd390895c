import Foundation
import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// A crash in the middle of writing the last frame loses exactly that batch and nothing else.
@Suite struct TornTailTests {
    /// How the torn write is simulated at a byte offset.
    enum Tear: CaseIterable { case truncateFile, zeroRestOfFrame }

    @Test(arguments: Tear.allCases)
    func everyTearOfTheLastFrameIsCutAndAppendsContinue(tear: Tear) async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions(segmentSize: 4096))
            let written = try await JournalTestSupport.fill(journal, records: 40, batchSize: 4)
            // The last batch: three records, so a tear anywhere in it loses all three.
            let lastBatch = (41...43).map { JournalTestSupport.record($0, size: 60) }
            _ = try await journal.append(contentsOf: lastBatch)
            journal.close()

            let segmentPath = try #require(try JournalTestSupport.segments(dir).last)
            let original = try JournalTestSupport.bytes(of: segmentPath)
            let lastFrame = try #require(try SegmentReader.scan(path: segmentPath).frames.last)
            #expect(lastFrame.firstSequence == 41)
            let contentEnd = Int(lastFrame.offset) + JournalFormat.frameHeaderSize + lastFrame.storedLength
            let tearEnd = tear == .truncateFile ? Int(lastFrame.endOffset) : contentEnd
            for offset in Int(lastFrame.offset)..<tearEnd {
                var damaged = original
                switch tear {
                case .truncateFile:
                    damaged.removeSubrange(offset...)
                case .zeroRestOfFrame:
                    for index in offset..<contentEnd { damaged[index] = 0 }
                }
                try JournalTestSupport.write(damaged, to: segmentPath)

                let reopened = try Journal.open(
                    directory: dir, options: JournalTestSupport.smallOptions(segmentSize: 4096))
                #expect(reopened.durableSequence == 40, "tear at offset \(offset)")
                let records = try JournalTestSupport.readAll(reopened)
                #expect(records.map(\.bytes) == Array(written.prefix(40)), "tear at offset \(offset)")
                let next = JournalTestSupport.record(999, size: 30)
                #expect(try await reopened.append(next) == 41)
                reopened.close()

                let again = try Journal.open(
                    directory: dir, options: JournalTestSupport.smallOptions(segmentSize: 4096))
                #expect(try JournalTestSupport.readAll(again).map(\.bytes) == Array(written.prefix(40)) + [next])
                again.close()
                // Restore for the next offset: the original file, minus any segment the append created.
                for path in try JournalTestSupport.segments(dir) where path != segmentPath {
                    if JournalFormat.baseSequence(fromFileName: String(path.split(separator: "/").last ?? "")) == 41 {
                        try FileManager.default.removeItem(atPath: path)
                    }
                }
                try JournalTestSupport.write(original, to: segmentPath)
            }
        }
    }

    @Test func garbageAfterTheLastFrameIsZeroedNotMistakenLater() async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions(segmentSize: 8192))
            let written = try await JournalTestSupport.fill(journal, records: 5)
            journal.close()
            let path = try #require(try JournalTestSupport.segments(dir).last)
            var bytes = try JournalTestSupport.bytes(of: path)
            let end = Int(try SegmentReader.scan(path: path).endOffset)
            // A torn frame whose header survived but whose payload did not.
            let frame = try FrameEncoder.encode([[7, 7, 7]], firstSequence: 6, codec: .none)
            for (index, byte) in frame.bytes.prefix(34).enumerated() { bytes[end + index] = byte }
            bytes[end + 40] = 0xFF
            try JournalTestSupport.write(bytes, to: path)

            let reopened = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions(segmentSize: 8192))
            #expect(reopened.durableSequence == 5)
            let after = try JournalTestSupport.bytes(of: path)
            #expect(after[end...].allSatisfy { $0 == 0 }, "the torn bytes were zeroed")
            _ = try await reopened.append([1])
            reopened.close()
            let again = try Journal.open(directory: dir)
            defer { again.close() }
            #expect(try JournalTestSupport.readAll(again).map(\.bytes) == written + [[1]])
        }
    }
}
