import Foundation
import PaxosJournal
import PaxosTestSupport
import Testing

/// The scan over a 64 MiB preallocated segment's zero tail: fast (it skips zeros with memcmp and
/// jumps between frame-type bytes with memchr instead of trying every 8-byte offset, which took
/// seconds in a debug build), and still exact: a valid frame anywhere after a damaged one, even
/// 60 MiB later, makes the damage corruption rather than a torn tail.
@Suite("scanning a large preallocated segment")
struct InspectLargeSegmentTests {
    static let segmentSize = 64 << 20

    /// A journal with three one-record frames in one 64 MiB segment; returns the segment path.
    private func makeJournal(in directory: String) async throws -> String {
        let journal = try Journal.open(
            directory: directory, options: JournalOptions(codec: .none, segmentSize: Self.segmentSize))
        for index in 1...3 {
            _ = try await journal.append(Array("record \(index) of the large-segment test".utf8))
        }
        journal.close()
        return directory + "/" + JournalFormat.segmentFileName(baseSequence: 1)
    }

    /// Applies `change` to the bytes of `path` in place.
    private func patch(_ path: String, at offset: Int, _ bytes: [UInt8]) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data(bytes))
    }

    private func read(_ path: String, at offset: Int, count: Int) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        return Array(try handle.read(upToCount: count) ?? Data())
    }

    @Test func tornTailInALargeSegmentIsFoundQuickly() async throws {
        try await withTemporaryDirectory { (directory: String) async throws in
            let path = try await makeJournal(in: directory)
            let frames = try SegmentReader.scan(path: path).frames
            #expect(frames.count == 3)
            let last = try #require(frames.last)
            let payload = Int(last.offset) + 32
            try patch(path, at: payload, [try read(path, at: payload, count: 1)[0] ^ 0x01])
            let clock = ContinuousClock()
            let start = clock.now
            let scan = try JournalScanner.scan(directory: directory)
            let elapsed = clock.now - start
            #expect(scan.corruption == nil)
            #expect(scan.tornTail?.offset == last.offset)
            // Generous for a loaded debug build; trying every 8-byte offset took seconds.
            #expect(elapsed < .seconds(2), "scan took \(elapsed)")
        }
    }

    @Test func validFrameFarInTheZeroTailMakesDamageCorruption() async throws {
        try await withTemporaryDirectory { (directory: String) async throws in
            let path = try await makeJournal(in: directory)
            let frames = try SegmentReader.scan(path: path).frames
            let (middle, last) = (frames[1], frames[2])
            let middleBytes = try read(path, at: Int(middle.offset), count: Int(middle.endOffset - middle.offset))
            let far = 60 << 20
            try patch(path, at: far, middleBytes)
            let payload = Int(last.offset) + 32
            try patch(path, at: payload, [try read(path, at: payload, count: 1)[0] ^ 0x01])
            let scan = try JournalScanner.scan(directory: directory)
            #expect(scan.tornTail == nil)
            #expect(scan.corruption?.offset == last.offset)
            #expect(scan.corruption?.message.contains("a valid frame follows at offset \(far)") == true)
        }
    }
}
