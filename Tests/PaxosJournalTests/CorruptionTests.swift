import Foundation
import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// Damage a crash cannot explain stops the open with file and offset, and changes nothing.
@Suite struct CorruptionTests {
    /// A journal of several 4 KiB segments with `records` records, closed.
    static func makeJournal(_ dir: String, records: Int = 60) async throws -> [[UInt8]] {
        let journal = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions(segmentSize: 4096))
        let written = try await JournalTestSupport.fill(journal, records: records, batchSize: 3)
        journal.close()
        return written
    }

    /// Opens and returns the error, recording an issue if the open succeeds.
    static func openError(_ dir: String) -> JournalError? {
        do {
            let journal = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions(segmentSize: 4096))
            journal.close()
            Issue.record("open succeeded")
            return nil
        } catch {
            return error
        }
    }

    /// Every file's bytes, to prove nothing was changed.
    static func snapshot(_ dir: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for path in try JournalTestSupport.segments(dir) { files[path] = try JournalTestSupport.bytes(of: path) }
        return files
    }

    @Test func sequenceGapBetweenSegmentsIsCorrupt() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await Self.makeJournal(dir)
            let segments = try JournalTestSupport.segments(dir)
            try #require(segments.count >= 3)
            try FileManager.default.removeItem(atPath: segments[1])
            let before = try Self.snapshot(dir)
            let error = try #require(Self.openError(dir))
            #expect(error.code == .corrupt)
            #expect(error.path == segments[2])
            #expect(error.offset == 24)
            #expect(error.description.contains("sequence gap"))
            #expect(try Self.snapshot(dir) == before)
        }
    }

    @Test func truncatedSegmentHeaderIsCorrupt() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await Self.makeJournal(dir)
            let last = try #require(try JournalTestSupport.segments(dir).last)
            let bytes = try JournalTestSupport.bytes(of: last)
            try JournalTestSupport.write(Array(bytes.prefix(40)), to: last)
            let before = try Self.snapshot(dir)
            let error = try #require(Self.openError(dir))
            #expect(error.code == .corrupt)
            #expect(error.path == last)
            #expect(error.offset == 0)
            #expect(error.description.contains("segment header truncated"))
            #expect(try Self.snapshot(dir) == before)
        }
    }

    @Test func unknownVersionIsRefusedClearly() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await Self.makeJournal(dir)
            let first = try #require(try JournalTestSupport.segments(dir).first)
            var bytes = try JournalTestSupport.bytes(of: first)
            LittleEndianBytes.store(UInt16(9), into: &bytes, at: 8)
            LittleEndianBytes.store(Checksum.crc32(bytes[0..<60]), into: &bytes, at: 60)
            try JournalTestSupport.write(bytes, to: first)
            let error = try #require(Self.openError(dir))
            #expect(error.code == .unsupportedVersion)
            #expect(error.path == first)
            #expect(error.description.contains("unsupported segment format version 9"))
        }
    }

    @Test func badFrameFollowedByGoodFramesIsCorruptNotTorn() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await Self.makeJournal(dir)
            let journal = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions(segmentSize: 4096))
            for value in 1...3 as ClosedRange<UInt8> { _ = try await journal.append([value, value]) }
            journal.close()
            let last = try #require(try JournalTestSupport.segments(dir).last)
            let frames = try SegmentReader.scan(path: last).frames
            try #require(frames.count >= 2)
            var bytes = try JournalTestSupport.bytes(of: last)
            bytes[Int(frames[0].offset) + JournalFormat.frameHeaderSize] ^= 0x10
            try JournalTestSupport.write(bytes, to: last)
            let before = try Self.snapshot(dir)
            let error = try #require(Self.openError(dir))
            #expect(error.code == .corrupt)
            #expect(error.path == last)
            #expect(error.offset == frames[0].offset)
            #expect(error.description.contains("frame checksum mismatch (expected 0x"))
            #expect(try Self.snapshot(dir) == before)
        }
    }

    @Test func repairCutsAtTheDamageAndKeepsEvidence() async throws {
        try await withTemporaryDirectory { dir in
            let written = try await Self.makeJournal(dir)
            let segments = try JournalTestSupport.segments(dir)
            try #require(segments.count >= 3)
            let frames = try SegmentReader.scan(path: segments[1]).frames
            try #require(frames.count >= 2)
            var bytes = try JournalTestSupport.bytes(of: segments[1])
            bytes[Int(frames[1].offset) + 9] ^= 1
            try JournalTestSupport.write(bytes, to: segments[1])
            #expect(Self.openError(dir)?.code == .corrupt)

            let report = try Journal.repair(directory: dir)
            #expect(report.damage?.path == segments[1])
            #expect(report.cut?.path == segments[1])
            #expect(report.cut?.offset == frames[1].offset)
            #expect(report.lastSequence == frames[0].lastSequence)
            #expect(report.brokenFiles.contains(segments[1] + ".broken"))
            #expect(report.brokenFiles.count == segments.count - 1)
            #expect(try JournalTestSupport.bytes(of: segments[1] + ".broken") == bytes)

            let journal = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions(segmentSize: 4096))
            let kept = Int(frames[0].lastSequence)
            #expect(try JournalTestSupport.readAll(journal).map(\.bytes) == Array(written.prefix(kept)))
            #expect(try await journal.append([9]) == UInt64(kept + 1))
            journal.close()
            // Ids of the segments moved aside are not reused.
            let brokenIDs = try report.brokenFiles.compactMap {
                try SegmentHeader.decode(Array(JournalTestSupport.bytes(of: $0).prefix(64)), path: $0).segmentID
            }
            let liveIDs = try JournalScanner.scan(directory: dir).segments.compactMap { $0.header?.segmentID }
            #expect(Set(brokenIDs).isDisjoint(with: liveIDs.dropFirst(2)))
            #expect((liveIDs.last ?? 0) > (brokenIDs.max() ?? 0))
            #expect(try Journal.repair(directory: dir).damage == nil)
            // The directory keeps what was cut, for `inspect`: one entry (the second repair found
            // nothing to cut, and records nothing).
            let history = RepairHistory.entries(in: dir)
            #expect(history.count == 1)
            #expect(history.first?.contains("damage:") == true)
            #expect(history.first?.contains("cut \(segments[1]) at offset \(frames[1].offset)") == true)
            #expect(history.first?.contains("kept for inspection: \(segments[1]).broken") == true)
        }
    }

    /// The search for a valid frame after damage reads 1 MiB windows: a frame whose header
    /// straddles a window boundary must still be found, and megabytes of zeros must still be torn.
    @Test func laterFrameAcrossTheScanWindowIsFound() async throws {
        try await withTemporaryDirectory { dir in
            let options = JournalOptions(codec: .none, segmentSize: 4 << 20)
            let journal = try Journal.open(directory: dir, options: options)
            // Frame 2 lands at 72 + 1 MiB - 16: its header crosses the first window's end.
            _ = try await journal.append(JournalTestSupport.noise(1_048_533, seed: 8))
            _ = try await journal.append([1, 2, 3])
            journal.close()
            let path = try #require(try JournalTestSupport.segments(dir).first)
            let frames = try SegmentReader.scan(path: path).frames
            try #require(frames.count == 2)
            #expect(frames[1].offset == 72 + (1 << 20) - 16)
            let original = try JournalTestSupport.bytes(of: path)

            var damaged = original
            damaged[Int(frames[0].offset) + 40] ^= 4
            try JournalTestSupport.write(damaged, to: path)
            let error = try #require(Self.openError(dir))
            #expect(error.offset == 64)
            #expect(error.description.contains("a valid frame follows at offset \(frames[1].offset)"))

            damaged = original
            damaged[Int(frames[1].offset) + 33] ^= 4
            try JournalTestSupport.write(damaged, to: path)
            let reopened = try Journal.open(directory: dir, options: options)
            defer { reopened.close() }
            #expect(reopened.durableSequence == 1)
        }
    }

    /// A bad header in the first remaining segment moves everything aside, but numbering continues
    /// where it was instead of restarting at 1.
    @Test func repairOfABadFirstHeaderKeepsTheNumbering() async throws {
        try await withTemporaryDirectory { dir in
            let options = JournalTestSupport.smallOptions(segmentSize: 4096)
            let journal = try Journal.open(directory: dir, options: options)
            try await JournalTestSupport.fill(journal, records: 60, batchSize: 3)
            try journal.truncate(before: 30)
            let base = journal.firstSequence
            journal.close()
            #expect(base > 1)
            let first = try #require(try JournalTestSupport.segments(dir).first)
            var bytes = try JournalTestSupport.bytes(of: first)
            bytes[20] ^= 1
            try JournalTestSupport.write(bytes, to: first)
            #expect(Self.openError(dir)?.offset == 0)

            let report = try Journal.repair(directory: dir)
            #expect(report.cut == nil)
            #expect(report.brokenFiles.first == first + ".broken")
            #expect(report.lastSequence == base - 1)
            let reopened = try Journal.open(directory: dir, options: options)
            defer { reopened.close() }
            #expect(try await reopened.append([1]) == base)
        }
    }
}
