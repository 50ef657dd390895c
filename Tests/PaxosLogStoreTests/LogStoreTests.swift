import PaxosJournal
import PaxosLogStore
import PaxosProtocol
import PaxosTestSupport
import Testing

/// The committed log on disk: slots in, entries and slots out by index, across reopening.
@Suite struct LogStoreTests {
    /// Slot s holds `entriesPerSlot(s)` entries "s.k"; every fifth slot is a no-op; slot 7 repeats
    /// an entry of slot 6 (a retry chosen twice), which takes no index.
    static func slots(count: Int, entriesPerSlot: (Int) -> Int = { $0 % 4 + 1 }) -> [ChosenSlot] {
        var slots: [ChosenSlot] = []
        var nextIndex: UInt64 = 1
        var previous: [ClientEntry] = []
        for slot in 1...count {
            if slot % 5 == 0 {
                slots.append(ChosenSlot(slot: Slot(slot), value: .noop, firstIndex: nextIndex))
                continue
            }
            var entries = (0..<entriesPerSlot(slot)).map { k in
                ClientEntry(
                    key: ClientKey(session: 1, sequence: UInt64(slot * 100 + k)), data: Array("\(slot).\(k)".utf8))
            }
            var duplicates: [Int] = []
            if slot == 7, let repeated = previous.first {
                entries.insert(repeated, at: 1)
                duplicates = [1]
            }
            let chosen = ChosenSlot(
                slot: Slot(slot), value: .entries(entries), firstIndex: nextIndex, skippedPositions: duplicates)
            nextIndex += chosen.appliedCount
            slots.append(chosen)
            previous = entries
        }
        return slots
    }

    static func expectedEntries(_ slots: [ChosenSlot]) -> [String] {
        slots.flatMap(\.appliedEntries).map { String(decoding: $0.data, as: UTF8.self) }
    }

    func append(_ slots: [ChosenSlot], to store: LogStore) async throws {
        let result = await withCheckedContinuation { continuation in
            store.append(slots) { continuation.resume(returning: $0) }
        }
        _ = try result.get()
    }

    func strings(_ entries: [[UInt8]]) -> [String] { entries.map { String(decoding: $0, as: UTF8.self) } }

    @Test func entriesAreReadByIndexFromAnyPointAndSurviveReopening() async throws {
        try await withTemporaryDirectory { directory in
            let slots = Self.slots(count: 300)
            let expected = Self.expectedEntries(slots)
            let store = try LogStore.open(directory: directory + "/log", options: JournalOptions(segmentSize: 1 << 16))
            try await append(Array(slots.prefix(100)), to: store)
            try await append(Array(slots.dropFirst(100)), to: store)
            #expect(store.lastSlot == 300)
            #expect(store.lastIndex == UInt64(expected.count))
            for start in [1, 2, 17, 33, 34, 250, expected.count] {
                let read = try store.entries(from: UInt64(start), maxEntries: 5, maxBytes: 1 << 20)
                #expect(strings(read) == Array(expected[(start - 1)..<min(start + 4, expected.count)]), "from \(start)")
            }
            #expect(try store.entries(from: UInt64(expected.count + 1), maxEntries: 5, maxBytes: 100).isEmpty)
            // A byte bound still returns the first entry.
            #expect(try store.entries(from: 1, maxEntries: 100, maxBytes: 1).count == 1)
            store.close()

            let reopened = try LogStore.open(
                directory: directory + "/log", options: JournalOptions(segmentSize: 1 << 16))
            defer { reopened.close() }
            #expect(reopened.lastSlot == 300)
            #expect(strings(try reopened.entries(from: 1, maxEntries: 10_000, maxBytes: 1 << 30)) == expected)
            var iterator = reopened.slots(from: 41)
            #expect(try iterator.next() == slots[40])
        }
    }

    /// What `encodedEntries` copies into a reply, decoded as the client decodes it.
    func encoded(
        _ store: LogStore, from index: UInt64, through last: UInt64 = .max, maxEntries: Int, maxBytes: Int
    ) throws -> [[UInt8]] {
        var writer = ByteWriter()
        let count = try store.encodedEntries(
            from: index, through: last, maxEntries: maxEntries, maxBytes: maxBytes, into: &writer)
        let payload = ReadResult.encoded(
            requestID: 1, firstIndex: index, endIndex: 0, count: count, entries: writer.bytes)
        return try ReadResult(decoding: payload).entries
    }

    @Test func entriesCopiedInPlaceAreTheEntriesDecoded() async throws {
        try await withTemporaryDirectory { directory in
            // No-ops, slots of several entries, a duplicate that took no index (slot 7), and a trim.
            var slots = Self.slots(count: 120)
            let trimAt = ChosenSlot(slot: 121, value: .trim(before: 5), firstIndex: slots[119].lastIndex + 1)
            slots.append(trimAt)
            let store = try LogStore.open(directory: directory + "/log", options: JournalOptions(segmentSize: 1 << 16))
            defer { store.close() }
            try await append(slots, to: store)
            let total = Int(store.lastIndex)
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<200 {
                let start = UInt64.random(in: 1...UInt64(total + 1), using: &generator)
                let through = UInt64.random(in: start...UInt64(total + 2), using: &generator)
                let maxEntries = Int.random(in: 1...50, using: &generator)
                let maxBytes = Int.random(in: 1...200, using: &generator)
                let direct = try store.entries(
                    from: start, through: through, maxEntries: maxEntries, maxBytes: maxBytes)
                let copied = try encoded(
                    store, from: start, through: through, maxEntries: maxEntries, maxBytes: maxBytes)
                #expect(copied == direct, "from \(start) through \(through), \(maxEntries) entries, \(maxBytes) bytes")
            }
        }
    }

    @Test func aSlotThatDoesNotFollowOnIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let store = try LogStore.open(directory: directory + "/log", options: JournalOptions())
            defer { store.close() }
            let slots = Self.slots(count: 3)
            try await append([slots[0]], to: store)
            await #expect(throws: LogStoreError.self) { try await append([slots[2]], to: store) }
            var gap = slots[1]
            gap.firstIndex += 1
            await #expect(throws: LogStoreError.self) { try await append([gap], to: store) }
            try await append([slots[1]], to: store)
            #expect(store.lastSlot == 2)
        }
    }

    @Test func aRecordInTheWrongPlaceIsReportedAtOpen() async throws {
        try await withTemporaryDirectory { directory in
            // A journal whose second record claims to be slot 3: not a log store's journal.
            let journal = try Journal.open(directory: directory + "/log", options: JournalOptions())
            let slots = Self.slots(count: 3)
            _ = try await journal.append(contentsOf: [slots[0].encoded(), slots[2].encoded()])
            journal.close()
            #expect {
                try LogStore.open(directory: directory + "/log", options: JournalOptions())
            } throws: { error in
                "\(error)".contains("record 2 holds slot 3")
            }
        }
    }

    @Test func reopeningFromACheckpointPositionReadsOnlyWhatFollowsAndChecksThePosition() async throws {
        try await withTemporaryDirectory { directory in
            let slots = Self.slots(count: 200)
            let expected = Self.expectedEntries(slots)
            let options = JournalOptions(segmentSize: 1 << 16)
            let store = try LogStore.open(directory: directory + "/log", options: options)
            try await append(slots, to: store)
            let atSlot = slots[149]
            let position = store.position(at: atSlot.slot, lastIndex: atSlot.lastIndex)
            store.close()

            let reopened = try LogStore.open(directory: directory + "/log", options: options, from: position)
            #expect(reopened.lastSlot == 200)
            #expect(reopened.lastIndex == UInt64(expected.count))
            #expect(strings(try reopened.entries(from: 1, maxEntries: 10_000, maxBytes: 1 << 30)) == expected)
            #expect(
                strings(try reopened.entries(from: 300, maxEntries: 3, maxBytes: 1 << 30)) == Array(expected[299..<302])
            )
            reopened.close()

            var wrong = position
            wrong.lastIndex += 1
            #expect {
                try LogStore.open(directory: directory + "/log", options: options, from: wrong)
            } throws: { error in
                "\(error)".contains("not the one the checkpoint was taken with")
            }
            var beyond = position
            beyond.slot = 500
            #expect {
                try LogStore.open(directory: directory + "/log", options: options, from: beyond)
            } throws: { error in
                "\(error)".contains("lost data") && (error as? LogStoreError)?.code == .behindCheckpoint
            }
        }
    }
}
