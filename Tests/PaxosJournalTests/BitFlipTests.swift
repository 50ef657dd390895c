import Foundation
import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// One flipped bit anywhere is either a cut torn tail (only in the last frame) or a `.corrupt`
/// error at the right place; never a crash and never a wrong record.
@Suite struct BitFlipTests {
    /// Where a byte of the journal sits.
    enum Place: Equatable {
        case header
        case frame(offset: Int64, isLastFrameOfJournal: Bool)
        case tail(endOffset: Int64, isLastSegment: Bool)
    }

    static func place(of byte: Int, in scan: SegmentScan, isLastSegment: Bool) -> Place {
        if byte < JournalFormat.segmentHeaderSize { return .header }
        for (index, frame) in scan.frames.enumerated()
        where Int64(byte) >= frame.offset && Int64(byte) < frame.endOffset {
            return .frame(offset: frame.offset, isLastFrameOfJournal: isLastSegment && index == scan.frames.count - 1)
        }
        return .tail(endOffset: scan.endOffset, isLastSegment: isLastSegment)
    }

    @Test func seededBitFlipsAreDetected() async throws {
        try await withTemporaryDirectory { dir in
            let options = JournalTestSupport.smallOptions(segmentSize: 4096)
            let journal = try Journal.open(directory: dir, options: options)
            let written = try await JournalTestSupport.fill(journal, records: 90, batchSize: 3)
            journal.close()
            let paths = try JournalTestSupport.segments(dir)
            try #require(paths.count >= 3)
            let originals = try paths.map { try JournalTestSupport.bytes(of: $0) }
            let scans = try paths.map { try SegmentReader.scan(path: $0) }
            let lastBatch = scans.last?.frames.last?.recordCount ?? 0

            var generator = SeededGenerator(seed: 2026)
            var outcomes = (torn: 0, corrupt: 0, harmless: 0)
            let positions = 5000
            for _ in 0..<positions {
                let file = Int.random(in: 0..<paths.count, using: &generator)
                let isLast = file == paths.count - 1
                // Mostly written bytes, sometimes the zeroed tail.
                let limit = generator.chance(90) ? Int(scans[file].endOffset) : originals[file].count
                let byte = Int.random(in: 0..<limit, using: &generator)
                let bit = UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
                var damaged = originals[file]
                damaged[byte] ^= bit
                try JournalTestSupport.write(damaged, to: paths[file])
                let place = Self.place(of: byte, in: scans[file], isLastSegment: isLast)
                let context = "flip bit \(bit) of byte \(byte) in \(paths[file]) (\(place))"

                do throws(JournalError) {
                    let reopened = try Journal.open(directory: dir, options: options)
                    defer { reopened.close() }
                    let records = try JournalTestSupport.readAll(reopened)
                    // Whatever is readable must be exactly what was written.
                    #expect(records.map(\.bytes) == Array(written.prefix(records.count)), "\(context)")
                    switch place {
                    case .frame(_, isLastFrameOfJournal: true):
                        #expect(records.count == written.count - lastBatch, "\(context)")
                        outcomes.torn += 1
                    case .tail(_, isLastSegment: true):
                        #expect(records.count == written.count, "\(context)")
                        outcomes.harmless += 1
                    default:
                        Issue.record("open succeeded: \(context)")
                    }
                } catch {
                    #expect(error.code == .corrupt || error.code == .unsupportedVersion, "\(context): \(error)")
                    #expect(error.path == paths[file], "\(context): \(error)")
                    let offset = error.offset ?? -1
                    switch place {
                    case .header:
                        #expect(offset >= 0 && offset < Int64(JournalFormat.segmentHeaderSize), "\(context): \(error)")
                    case .frame(let frameOffset, _):
                        #expect(offset == frameOffset, "\(context): \(error)")
                    case .tail(let endOffset, _):
                        #expect(offset == endOffset, "\(context): \(error)")
                    }
                    outcomes.corrupt += 1
                }
                // Restore every file (recovery may have zeroed a torn tail).
                for (path, bytes) in zip(paths, originals) { try JournalTestSupport.write(bytes, to: path) }
            }
            #expect(outcomes.torn > 0 && outcomes.corrupt > 0)
            #expect(outcomes.torn + outcomes.corrupt + outcomes.harmless == positions)
        }
    }
}
