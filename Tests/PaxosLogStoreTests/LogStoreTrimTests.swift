import Foundation
import PaxosJournal
import PaxosProtocol
import PaxosTestSupport
import Testing

@testable import PaxosLogStore

/// Deleting trimmed entries: whole segments only, never past the limit the node gives (its
/// checkpoint's slot), and every entry at or above the first index still readable, after reopening
/// from a position too.
@Suite struct LogStoreTrimTests {
    let helper = LogStoreTests()

    private func segmentCount(in directory: String) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".seg") }.count
    }

    @Test func trimDeletesWholeSegmentsBelowTheFirstIndexAndKeepsTheRestReadable() async throws {
        try await withTemporaryDirectory { directory in
            let slots = LogStoreTests.slots(count: 2_000, entriesPerSlot: { _ in 3 })
            let expected = LogStoreTests.expectedEntries(slots)
            let path = directory + "/log"
            let store = try LogStore.open(directory: path, options: JournalOptions(segmentSize: 1 << 14))
            // In batches, as the node writes them (a batch never spans segments), with a base
            // offered after each, as the node offers one at each checkpoint.
            for start in stride(from: 0, to: slots.count, by: 50) {
                let batch = Array(slots[start..<(start + 50)])
                try await helper.append(batch, to: store)
                let last = try #require(batch.last)
                try store.recordBase(LogBase(slot: last.slot, lastIndex: last.lastIndex, firstIndex: 1, dedup: []))
            }
            let before = try segmentCount(in: path)
            #expect(before >= 4)

            // The limit wins: nothing at or above slot 100 may go, whatever the first index says.
            try store.trim(before: UInt64(expected.count), keepingFrom: 100)
            #expect(store.firstSlot <= 100)
            let first: UInt64 = 3_000
            let deleted = try store.trim(before: first, keepingFrom: 1_900)
            #expect(deleted > 0)
            #expect(try segmentCount(in: path) < before)
            #expect(store.firstSlot > 100)
            // The cut is just after a kept base: a replica behind the first slot continues from it.
            let base = try #require(try store.oldestBase())
            #expect(base.slot + 1 >= store.firstSlot && base.slot < 1_900)
            let read = try store.entries(from: first, maxEntries: 5, maxBytes: 1 << 20)
            #expect(helper.strings(read) == Array(expected[Int(first - 1)..<Int(first + 4)]))

            let position = store.position(at: store.lastSlot, lastIndex: store.lastIndex)
            store.close()
            let reopened = try LogStore.open(
                directory: path, options: JournalOptions(segmentSize: 1 << 14), from: position)
            defer { reopened.close() }
            #expect(reopened.firstSlot == store.firstSlot)
            let again = try reopened.entries(from: first + 10, maxEntries: 3, maxBytes: 1 << 20)
            #expect(helper.strings(again) == Array(expected[Int(first + 9)..<Int(first + 12)]))
            // Reopening without a position reads what is left from its first slot.
            reopened.close()
            let scanned = try LogStore.open(directory: path, options: JournalOptions(segmentSize: 1 << 14))
            defer { scanned.close() }
            #expect(scanned.lastIndex == UInt64(expected.count))
            #expect(try scanned.entries(from: first, maxEntries: 1, maxBytes: 1 << 20).count == 1)
        }
    }

    @Test func aBaseLeftBehindByACrashIsNeitherServedNorKept() async throws {
        try await withTemporaryDirectory { directory in
            let slots = LogStoreTests.slots(count: 1_000, entriesPerSlot: { _ in 3 })
            let path = directory + "/log"
            let options = JournalOptions(segmentSize: 1 << 14)
            let store = try LogStore.open(directory: path, options: options)
            for start in stride(from: 0, to: slots.count, by: 50) {
                let batch = Array(slots[start..<(start + 50)])
                try await helper.append(batch, to: store)
                let last = try #require(batch.last)
                try store.recordBase(LogBase(slot: last.slot, lastIndex: last.lastIndex, firstIndex: 1, dedup: []))
            }
            try store.trim(before: slots[700].firstIndex, keepingFrom: 900)
            let oldest = try #require(try store.oldestBase())
            store.close()
            // A base older than the store's first slot, as a crash between the deletion of segments
            // and the deletion of their bases leaves it.
            let stale = LogBase(slot: 50, lastIndex: slots[49].lastIndex, firstIndex: 1, dedup: [])
            try LogBaseFile.write(stale, in: path)

            let reopened = try LogStore.open(directory: path, options: options)
            defer { reopened.close() }
            #expect(try reopened.oldestBase() == oldest, "the stale base is not handed to a lagging replica")
            try reopened.trim(before: 1, keepingFrom: 900)  // nothing to delete; the stale base goes
            #expect(!FileManager.default.fileExists(atPath: path + "/" + LogBaseFile.name(of: 50)))
            #expect(try reopened.oldestBase() == oldest)
        }
    }

    @Test func trimmingPastTheEndKeepsTheSegmentBeingWritten() async throws {
        try await withTemporaryDirectory { directory in
            let slots = LogStoreTests.slots(count: 500, entriesPerSlot: { _ in 3 })
            let path = directory + "/log"
            let store = try LogStore.open(directory: path, options: JournalOptions(segmentSize: 1 << 14))
            defer { store.close() }
            try await helper.append(slots, to: store)
            try store.trim(before: 1 << 40, keepingFrom: 1 << 40)
            #expect(try segmentCount(in: path) >= 1)
            #expect(store.lastSlot == 500)
            let next = ChosenSlot(
                slot: 501, value: .entries([ClientEntry(key: ClientKey(session: 9, sequence: 1), data: [1])]),
                firstIndex: store.lastIndex + 1)
            try await helper.append([next], to: store)
            #expect(try store.entries(from: next.firstIndex, maxEntries: 1, maxBytes: 1 << 20) == [[1]])
        }
    }

    @Test func aStoreRestartedFromABaseContinuesAfterItAndReopens() async throws {
        try await withTemporaryDirectory { directory in
            let slots = LogStoreTests.slots(count: 300, entriesPerSlot: { _ in 2 })
            let path = directory + "/log"
            let store = try LogStore.open(directory: path, options: JournalOptions(segmentSize: 1 << 14))
            try await helper.append(Array(slots.prefix(10)), to: store)
            let session = DedupSessionSnapshot(session: 5, highest: 9, lastIndex: 400, sequences: [9], indexes: [400])
            let base = LogBase(slot: 200, lastIndex: slots[199].lastIndex, firstIndex: 100, dedup: [session])
            try store.reset(to: base)
            #expect(store.lastSlot == 200 && store.lastIndex == base.lastIndex)
            #expect(store.startBase == base)
            try await helper.append(Array(slots[200...]), to: store)
            let expected = LogStoreTests.expectedEntries(Array(slots[200...]))
            #expect(
                helper.strings(try store.entries(from: base.lastIndex + 1, maxEntries: 3, maxBytes: 1 << 20))
                    == Array(expected.prefix(3)))
            store.close()

            // Reopened, from nothing and from a checkpoint taken just at the base.
            let scanned = try LogStore.open(directory: path, options: JournalOptions(segmentSize: 1 << 14))
            #expect(scanned.startBase == base && scanned.lastSlot == 300)
            scanned.close()
            let atBase = LogStorePosition(slot: 200, lastIndex: base.lastIndex, anchors: [])
            let reopened = try LogStore.open(
                directory: path, options: JournalOptions(segmentSize: 1 << 14), from: atBase)
            #expect(reopened.lastSlot == 300)
            #expect(try reopened.oldestBase() == base)
            reopened.close()
            // A checkpoint position older than the base (taken before the restart): read from the base.
            let older = LogStorePosition(slot: 5, lastIndex: slots[4].lastIndex, anchors: [])
            let fromOlder = try LogStore.open(
                directory: path, options: JournalOptions(segmentSize: 1 << 14), from: older)
            #expect(fromOlder.lastSlot == 300)
            fromOlder.close()
        }
    }

    @Test func aRestartFromABaseInterruptedByACrashFindsOneWholeStore() async throws {
        try await withTemporaryDirectory { directory in
            let slots = LogStoreTests.slots(count: 20, entriesPerSlot: { _ in 1 })
            let path = directory + "/log"
            let store = try LogStore.open(directory: path, options: JournalOptions(segmentSize: 1 << 14))
            try await helper.append(slots, to: store)
            let base = LogBase(slot: 50, lastIndex: 70, firstIndex: 1, dedup: [])
            try store.reset(to: base)
            store.close()
            // A crash between the two renames: the new store waits beside, the old one is gone.
            try FileManager.default.moveItem(atPath: path, toPath: path + ".new")
            let finished = try LogStore.open(directory: path, options: JournalOptions(segmentSize: 1 << 14))
            #expect(finished.startBase == base && finished.lastSlot == 50)
            finished.close()
            // A crash while the new store was being built: the old store stays.
            try FileManager.default.createDirectory(atPath: path + ".new", withIntermediateDirectories: true)
            let kept = try LogStore.open(directory: path, options: JournalOptions(segmentSize: 1 << 14))
            #expect(kept.startBase == base)
            #expect(!FileManager.default.fileExists(atPath: path + ".new"))
            kept.close()
        }
    }
}
