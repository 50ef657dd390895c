import Foundation
import PaxosJournal
import PaxosLogStore
import PaxosProtocol
import PaxosTestSupport
import Testing

/// Cutting a damaged log store so its node can start and fetch the rest from its peers.
@Suite struct LogStoreRepairTests {
    private let helper = LogStoreTests()

    private func files(in directory: String, endingWith suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(suffix) }.sorted()
    }

    @Test func aDamagedSealedSegmentIsCutTheRestMovedAsideAndTheBasesPastTheCutDeleted() async throws {
        try await withTemporaryDirectory { directory in
            let slots = LogStoreTests.slots(count: 2_000, entriesPerSlot: { _ in 3 })
            let path = directory + "/log"
            let store = try LogStore.open(directory: path, options: JournalOptions(segmentSize: 1 << 14))
            for start in stride(from: 0, to: slots.count, by: 50) {
                let batch = Array(slots[start..<(start + 50)])
                try await helper.append(batch, to: store)
                let last = try #require(batch.last)
                try store.recordBase(LogBase(slot: last.slot, lastIndex: last.lastIndex, firstIndex: 1, dedup: []))
            }
            store.close()
            let segments = try files(in: path, endingWith: ".seg")
            try #require(segments.count >= 4)
            try #require(try files(in: path, endingWith: ".sealed").count >= 3)
            // One byte in the middle of the second segment, which a normal open takes on trust.
            let damaged = path + "/" + segments[1]
            let handle = try #require(FileHandle(forUpdatingAtPath: damaged))
            try handle.seek(toOffset: 8_000)
            let byte = try #require(try handle.read(upToCount: 1)?.first)
            try handle.seek(toOffset: 8_000)
            try handle.write(contentsOf: Data([byte ^ 0x10]))
            try handle.close()
            try LogStore.markDamaged(directory: path, reason: "found by a read")
            #expect(LogStore.damageMark(directory: path) == "found by a read")

            let report = try LogStore.repair(directory: path)
            #expect(report.damage != nil)
            #expect(report.lastSequence > 0 && report.lastSequence < 2_000)
            #expect(report.lastSequenceBefore == 2_000)
            #expect(LogStore.damageMark(directory: path) == nil, "the mark is gone once repaired")
            #expect(try files(in: path, endingWith: ".broken").count == segments.count - 1)
            // No seal is left for the cut segment or those moved aside, nor a base past the cut.
            #expect(try files(in: path, endingWith: ".sealed") == [segments[0] + ".sealed"])
            let bases = try files(in: path, endingWith: "").filter { $0.hasPrefix("base-") }
            #expect(!bases.isEmpty)
            #expect(bases.allSatisfy { (Slot($0.dropFirst(5)) ?? .max) <= report.lastSequence }, "\(bases)")
            #expect(RepairHistory.entries(in: path).count == 1)

            // It opens, whole up to the cut, and takes new slots after it.
            let reopened = try LogStore.open(directory: path, options: JournalOptions(segmentSize: 1 << 14))
            defer { reopened.close() }
            #expect(reopened.lastSlot == report.lastSequence)
            let kept = slots.prefix(Int(report.lastSequence))
            let expected = LogStoreTests.expectedEntries(Array(kept))
            let read = try reopened.entries(from: 1, maxEntries: 100_000, maxBytes: 1 << 30)
            #expect(read.map { String(decoding: $0, as: UTF8.self) } == expected)
            try await helper.append(Array(slots[Int(report.lastSequence)...]), to: reopened)
            #expect(reopened.lastSlot == 2_000)
        }
    }

    @Test func aStoreWithoutDamageIsLeftAsItIs() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/log"
            let store = try LogStore.open(directory: path, options: JournalOptions(segmentSize: 1 << 14))
            try await helper.append(LogStoreTests.slots(count: 100), to: store)
            store.close()
            let report = try LogStore.repair(directory: path)
            #expect(report.damage == nil)
            #expect(report.lastSequence == 100)
            #expect(try files(in: path, endingWith: ".broken").isEmpty)
        }
    }
}
