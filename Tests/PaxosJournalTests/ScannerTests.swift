import PaxosCompression
import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// The read-only scanner (for `inspect`) works without the lock and reports frames and damage.
@Suite struct ScannerTests {
    @Test func scansALiveJournalWithoutTheLock() async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions(codec: .zlib))
            defer { journal.close() }
            _ = try await journal.append(contentsOf: [Array(repeating: 1, count: 1000), [2]])
            _ = try await journal.append(JournalTestSupport.noise(500, seed: 3))
            let scan = try JournalScanner.scan(directory: dir)
            #expect(scan.corruption == nil && scan.tornTail == nil)
            #expect(scan.lastSequence == 3)
            let segment = try #require(scan.segments.first)
            #expect(segment.header?.baseSequence == 1)
            #expect(segment.header?.defaultCodec == .zlib)
            #expect(segment.fileSize == 64 << 10)
            let frames = segment.frames
            try #require(frames.count == 2)
            #expect(frames[0].offset == 64)
            #expect(frames[0].firstSequence == 1 && frames[0].recordCount == 2)
            #expect(frames[0].codec == .zlib && frames[0].storedLength < frames[0].uncompressedLength)
            #expect(frames[0].uncompressedLength == 1000 + 2 + 1 + 1)
            #expect(frames[1].offset == frames[0].endOffset && frames[1].offset % 8 == 0)
            #expect(frames[1].codec == .none && frames[1].firstSequence == 3)
            #expect(frames.allSatisfy { $0.checksumOK })
        }
    }

    @Test func reportsDamageWithFileAndOffset() async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir)
            for value in 1...3 as ClosedRange<UInt8> { _ = try await journal.append([value]) }
            journal.close()
            let path = try #require(try JournalTestSupport.segments(dir).first)
            let frames = try SegmentReader.scan(path: path).frames
            var bytes = try JournalTestSupport.bytes(of: path)
            bytes[Int(frames[1].offset) + 12] ^= 0x80
            try JournalTestSupport.write(bytes, to: path)
            let segment = try SegmentReader.scan(path: path)
            #expect(segment.frames.count == 1)
            #expect(segment.problem?.offset == frames[1].offset)
            #expect(segment.problem?.path == path)
            #expect(segment.damageIsTornTail == false)
            let description = try #require(segment.problem?.description)
            #expect(
                description.hasPrefix(
                    "paxoslog journal: \(path) at offset \(frames[1].offset): frame checksum mismatch (expected 0x"))
            #expect(description.contains(", found \(hex(frames[1].header.checksum)))"))
            #expect(try JournalScanner.scan(directory: dir).corruption?.offset == frames[1].offset)
        }
    }
}
