import Foundation
import PaxosJournal
import PaxosProtocol
import Synchronization

/// The committed log on disk: one journal record per chosen slot, whose sequence number is the
/// slot, holding the slot's value and the log indexes its entries took (`ChosenSlot`).
///
/// The node writes a slot here as the replica applies it, and serves reads (`tail`) and the
/// catch-up of replicas further behind than the replica's memory from here, so the replica keeps
/// no more than its latest slots. The journal gives the format its checksums, compression, torn
/// tail rules and group commit; this type adds a sparse index from entry index to slot (one
/// anchor per `anchorStride` slots) so that an entry is found by reading at most that many slots.
///
/// Writes complete once written (readable), not durable: the replica's journal holds every chosen
/// value until a checkpoint covers it, and the node syncs the store (`sync`) before it writes a
/// checkpoint, so the store costs no fsync on the commit path. A tail lost in a crash is rewritten
/// from the journal at the next start.
public final class LogStore: Sendable {
    /// One index anchor per this many slots.
    static let anchorStride: Slot = 32

    private struct State: Sendable {
        var anchors: [IndexAnchor] = []
        /// The last slot handed to the journal, and the last entry index it holds.
        var issuedSlot: Slot = 0
        var issuedLastIndex: UInt64 = 0
        /// The same, for what is durable (and so readable).
        var durableSlot: Slot = 0
        var durableLastIndex: UInt64 = 0
        /// The slots of the bases kept in the directory (`LogBaseFile`), ascending.
        var bases: [Slot] = []
        /// The base the store was restarted from, when its first slot follows one.
        var startBase: LogBase?
    }

    /// The journal beneath; replaced whole when the store restarts from a base (`reset`).
    private let journalBox: Mutex<Journal>
    private let state: Mutex<State>
    private let options: JournalOptions
    /// The directory of the journal that holds the store.
    public let directory: String

    var journal: Journal { journalBox.withLock { $0 } }

    private init(journal: Journal, state: State, options: JournalOptions) {
        journalBox = Mutex(journal)
        self.state = Mutex(state)
        self.options = options
        directory = journal.directory
    }

    /// Opens (or creates) the store in `directory`, reading every slot after `position` (all of
    /// them without one) to check that each record is the slot its sequence number says and that
    /// indexes follow on, and to build the sparse index.
    ///
    /// - Parameter position: where the store stood at the node's last checkpoint. Its slot's record
    ///   is read to check that it ends at the index the checkpoint says.
    public static func open(
        directory: String, options: JournalOptions, from position: LogStorePosition? = nil
    ) throws(LogStoreError) -> LogStore {
        var options = options
        options.syncsEveryBatch = false
        options.reachInterval = nil
        options.trustsSealedSegments = true
        try finishInterruptedReset(of: directory)
        let journal: Journal
        do {
            journal = try Journal.open(directory: directory, options: options)
        } catch {
            throw LogStoreError(error)
        }
        do throws(LogStoreError) {
            var state = State()
            state.bases = LogBaseFile.slots(in: directory, names: try listDirectory(directory))
            var next = journal.firstSequence
            if journal.firstSequence > 1, state.bases.contains(journal.firstSequence - 1) {
                let base = try LogBaseFile.read(journal.firstSequence - 1, in: directory)
                state.startBase = base
                state.issuedSlot = base.slot
                state.issuedLastIndex = base.lastIndex
            }
            if let position, position.slot > 0, position.slot >= state.issuedSlot {
                if position.slot == state.issuedSlot, position.lastIndex != state.issuedLastIndex {
                    throw LogStoreError(
                        .inconsistent,
                        "\(directory) starts after slot \(position.slot) ending at index \(state.issuedLastIndex), but the "
                            + "checkpoint says \(position.lastIndex): this log store is not the one the checkpoint was taken with"
                    )
                } else if position.slot > state.issuedSlot {
                    try check(position, in: journal)
                }
                state.anchors = position.anchors.filter { $0.slot <= position.slot }
                state.issuedSlot = position.slot
                state.issuedLastIndex = position.lastIndex
                next = position.slot + 1
            }
            // A position older than the base the store restarted from: the store was restarted
            // from a base after that checkpoint; it is read from the base on.
            var iterator = journal.records(from: next)
            while let record = try nextRecord(&iterator) {
                let chosen = try decode(record, in: directory)
                guard state.issuedSlot == 0 || chosen.firstIndex == state.issuedLastIndex + 1 else {
                    throw LogStoreError(
                        .inconsistent,
                        "\(directory): slot \(chosen.slot) starts at index \(chosen.firstIndex), but slot "
                            + "\(state.issuedSlot) ended at \(state.issuedLastIndex)")
                }
                Self.record(chosen, in: &state)
            }
            state.durableSlot = state.issuedSlot
            state.durableLastIndex = state.issuedLastIndex
            return LogStore(journal: journal, state: state, options: options)
        } catch {
            journal.close()
            throw error
        }
    }

    /// Where the store stands through `slot` (which it must hold), for a checkpoint.
    public func position(at slot: Slot, lastIndex: UInt64) -> LogStorePosition {
        let anchors = state.withLock { state in state.anchors.prefix { $0.slot <= slot } }
        return LogStorePosition(slot: slot, lastIndex: lastIndex, anchors: Array(anchors))
    }

    /// The last slot that is written and readable (0 when empty).
    public var lastSlot: Slot { state.withLock { $0.durableSlot } }

    /// The last entry index that is written and readable (0 when empty).
    public var lastIndex: UInt64 { state.withLock { $0.durableLastIndex } }

    /// The last slot known synced to disk.
    public var syncedSlot: Slot { journal.syncedSequence }

    /// Syncs every slot written so far; `completion` runs on the writer thread with the last
    /// synced slot.
    public func sync(completion: @escaping @Sendable (Result<Slot, LogStoreError>) -> Void) {
        journal.sync { result in completion(result.mapError { LogStoreError($0) }) }
    }

    /// The last slot handed to `append`, written or not.
    public var lastAppendedSlot: Slot { state.withLock { $0.issuedSlot } }

    /// What the open found about the journal beneath (a torn tail is normal after a crash here:
    /// the replica's journal still holds those slots).
    public var openFindings: OpenFindings { journal.openFindings }

    /// Appends applied slots, which must continue the store in slot order. `completion` runs on
    /// the journal's writer thread once they are durable (see `Journal.append`); after it, reads
    /// see them.
    public func append(
        _ slots: [ChosenSlot], completion: @escaping @Sendable (Result<Slot, LogStoreError>) -> Void
    ) {
        guard let last = slots.last else { return }
        let problem = state.withLock { state -> LogStoreError? in
            for chosen in slots {
                guard chosen.slot == state.issuedSlot + 1, chosen.firstIndex == state.issuedLastIndex + 1 else {
                    return LogStoreError(
                        .inconsistent,
                        "\(journal.directory): slot \(chosen.slot) from index \(chosen.firstIndex) does not follow "
                            + "slot \(state.issuedSlot) ending at \(state.issuedLastIndex)")
                }
                Self.record(chosen, in: &state)
            }
            return nil
        }
        if let problem {
            completion(.failure(problem))
            return
        }
        journal.append(contentsOf: slots.map { $0.encoded() }) { result in
            switch result {
            case .success:
                self.state.withLock { state in
                    state.durableSlot = max(state.durableSlot, last.slot)
                    state.durableLastIndex = max(state.durableLastIndex, last.lastIndex)
                }
                completion(.success(last.slot))
            case .failure(let error):
                completion(.failure(LogStoreError(error)))
            }
        }
    }

    /// Slots from `slot` on, in order, up to the durable end.
    public func slots(from slot: Slot) -> LogStoreSlotIterator {
        LogStoreSlotIterator(records: journal.records(from: slot), directory: journal.directory)
    }

    /// The entries from `index` through `last` (at most `maxEntries`, and past the first at most
    /// `maxBytes` bytes), read from disk. Empty when `index` is past the durable end.
    public func entries(
        from index: UInt64, through last: UInt64 = .max, maxEntries: Int, maxBytes: Int
    ) throws(LogStoreError) -> [[UInt8]] {
        let (anchor, durableEnd) = state.withLock { ($0.anchors.anchor(before: index), $0.durableLastIndex) }
        let end = min(last, durableEnd)
        guard index >= 1, index <= end else { return [] }
        // After a trim the anchors start at the first segment kept; below them, read from its start.
        var iterator = slots(from: max(anchor?.slot ?? 1, journal.firstSequence))
        var batch: [[UInt8]] = []
        var bytes = 0
        while batch.count < maxEntries, batch.isEmpty || bytes < maxBytes, let chosen = try iterator.next() {
            guard chosen.lastIndex >= index else { continue }
            for (offset, entry) in chosen.appliedEntries.enumerated() {
                let entryIndex = chosen.firstIndex + UInt64(offset)
                guard entryIndex >= index, entryIndex <= end else { continue }
                guard batch.count < maxEntries, batch.isEmpty || bytes < maxBytes else { break }
                batch.append(entry.data)
                bytes += entry.data.count
            }
        }
        return batch
    }

    /// The first slot the store still holds on disk (1 until a trim deleted segments).
    public var firstSlot: Slot { journal.firstSequence }

    /// Deletes the segments that hold only entries below `index`, and whatever `index` says only
    /// slots below `limit` (the node passes its checkpoint's slot, so a restart always finds the
    /// slot its checkpoint names). The cut is made just after a kept base, so that a replica
    /// lagging behind the store's new first slot can continue from that base: whole segments go,
    /// never part of one, and the store may keep some entries below `index`, which the node no
    /// longer serves. Returns how many segments went.
    ///
    /// Blocking (unlink and a directory fsync): call it off the event loop.
    @discardableResult
    public func trim(before index: UInt64, keepingFrom limit: Slot) throws(LogStoreError) -> Int {
        let cut = min(try slot(holding: index), limit)
        let bases = state.withLock { $0.bases }
        guard let base = bases.last(where: { $0 + 1 <= cut }), base + 1 > journal.firstSequence else {
            try removeStaleBases()
            return 0
        }
        let deleted: Int
        do {
            deleted = try journal.truncate(before: base + 1)
        } catch {
            throw LogStoreError(error)
        }
        let first = journal.firstSequence
        state.withLock { state in state.anchors.removeAll { $0.slot < first } }
        try removeStaleBases()
        return deleted
    }

    /// Deletes the bases older than the store's first slot needs (left by a crash between a
    /// segment deletion and theirs, or older ones a deletion made useless): the oldest kept one
    /// is then the one a lagging replica continues from.
    private func removeStaleBases() throws(LogStoreError) {
        let first = journal.firstSequence
        let usable = state.withLock { $0.bases.filter { $0 + 1 >= first } }
        guard let keepFrom = usable.first else { return }
        let stale = state.withLock { state -> [Slot] in
            let stale = state.bases.filter { $0 < keepFrom }
            state.bases.removeAll { $0 < keepFrom }
            return stale
        }
        guard !stale.isEmpty else { return }
        for slot in stale { _ = unlink(directory + "/" + LogBaseFile.name(of: slot)) }
        try Self.sync(directory: directory)
    }

    /// The first index to trim before so that the store keeps about `bytes` of segments on disk:
    /// the first entry of the oldest segment that fits among the newest ones. Nil when the store
    /// is within `bytes` already (or only its open segment would remain and it holds no entry).
    public func firstIndexKeeping(bytes: UInt64) throws(LogStoreError) -> UInt64? {
        let segments = journal.segmentFiles
        var kept: UInt64 = 0
        var oldestKept: UInt64?
        for segment in segments.reversed() {
            let size =
                (try? FileManager.default.attributesOfItem(atPath: segment.path)[.size] as? NSNumber)?
                .uint64Value ?? 0
            if oldestKept != nil && kept + size > bytes { break }
            kept += size
            oldestKept = segment.firstSequence
        }
        guard let slot = oldestKept, slot > journal.firstSequence else { return nil }
        var iterator = slots(from: slot)
        return try iterator.next()?.firstIndex
    }

    /// The slot that holds entry `index`, or the slot after the last when `index` is past the end.
    func slot(holding index: UInt64) throws(LogStoreError) -> Slot {
        let (anchor, issuedSlot, issuedLastIndex) = state.withLock {
            ($0.anchors.anchor(before: index), $0.durableSlot, $0.durableLastIndex)
        }
        guard index <= issuedLastIndex else { return issuedSlot + 1 }
        var iterator = slots(from: max(anchor?.slot ?? 1, journal.firstSequence))
        while let chosen = try iterator.next() {
            if chosen.lastIndex >= index { return chosen.slot }
        }
        return issuedSlot + 1
    }

    // MARK: Bases

    /// The base the store was restarted from (its first slot follows it), if it was.
    public var startBase: LogBase? { state.withLock { $0.startBase } }

    /// The oldest base kept: the state of the log just before a slot the store still holds, which
    /// a replica that lags behind the store's first slot continues from. Nil when none is kept.
    public func oldestBase() throws(LogStoreError) -> LogBase? {
        let first = journal.firstSequence
        guard let slot = state.withLock({ $0.bases.first { $0 + 1 >= first } }) else { return nil }
        return try LogBaseFile.read(slot, in: directory)
    }

    /// The newest base the store can replay its slots from to rebuild the log's state at its end:
    /// one the store holds every slot after (up to its end), or nil when none is kept.
    public func newestBaseToReplayFrom() throws(LogStoreError) -> LogBase? {
        let first = journal.firstSequence
        let last = lastSlot
        guard let slot = state.withLock({ $0.bases.last { $0 + 1 >= first && $0 <= last } }) else { return nil }
        return try LogBaseFile.read(slot, in: directory)
    }

    /// Deletes the bases of slots past `slot` (a store found shorter than it was must not keep
    /// bases of slots it no longer holds), with a directory sync.
    public func removeBases(after slot: Slot) throws(LogStoreError) {
        let gone = state.withLock { state in
            let gone = state.bases.filter { $0 > slot }
            state.bases.removeAll { $0 > slot }
            return gone
        }
        guard !gone.isEmpty else { return }
        for base in gone {
            try? FileManager.default.removeItem(atPath: directory + "/" + LogBaseFile.name(of: base))
        }
        try Self.sync(directory: directory)
    }

    /// Keeps `base` (the log's state at a checkpoint, which the store holds through `base.slot`)
    /// when the store has begun a segment since the newest base kept: one base per segment, so a
    /// trim can delete every segment below the one its first index lies in. Returns whether it
    /// was kept. Blocking (a file write): call it off the event loop.
    @discardableResult
    public func recordBase(_ base: LogBase) throws(LogStoreError) -> Bool {
        guard base.slot > 0, let segment = journal.segmentStart(holding: base.slot) else { return false }
        let newest = state.withLock { $0.bases.last }
        guard newest.map({ $0 < segment }) ?? true else { return false }
        try LogBaseFile.write(base, in: directory)
        state.withLock { state in state.bases.append(base.slot) }
        return true
    }

    /// Starts the store afresh after `base`: every slot it held is dropped, the next slot written
    /// must be `base.slot + 1`. For a replica that lagged behind what its peers still hold.
    ///
    /// Crash-safe: the new store is built beside the old one and renamed into place; an open finds
    /// either the old store or the new one. Blocking: the node calls it on its loop, rarely.
    public func reset(to base: LogBase) throws(LogStoreError) {
        let fresh = directory + ".new"
        let old = directory + ".old"
        journal.close()
        do {
            try? FileManager.default.removeItem(atPath: fresh)
            try Journal.createEmpty(directory: fresh, firstSequence: base.slot + 1)
            try LogBaseFile.write(base, in: fresh)
            try? FileManager.default.removeItem(atPath: old)
            try FileManager.default.moveItem(atPath: directory, toPath: old)
            try FileManager.default.moveItem(atPath: fresh, toPath: directory)
            try Self.syncParent(of: directory)
            try? FileManager.default.removeItem(atPath: old)
        } catch let error as LogStoreError {
            throw error
        } catch let error as JournalError {
            throw LogStoreError(error)
        } catch {
            throw LogStoreError(.journal, "cannot restart \(directory) from the base at slot \(base.slot): \(error)")
        }
        let journal: Journal
        do {
            journal = try Journal.open(directory: directory, options: options)
        } catch {
            throw LogStoreError(error)
        }
        journalBox.withLock { $0 = journal }
        state.withLock { state in
            state = State()
            state.bases = [base.slot]
            state.startBase = base
            state.issuedSlot = base.slot
            state.issuedLastIndex = base.lastIndex
            state.durableSlot = base.slot
            state.durableLastIndex = base.lastIndex
        }
    }

    /// An open after a crash in the middle of `reset`: a complete new store waiting to be renamed
    /// into place is put there; an incomplete one, or an old one left behind, is removed.
    static func finishInterruptedReset(of directory: String) throws(LogStoreError) {
        let fresh = directory + ".new"
        let old = directory + ".old"
        let files = FileManager.default
        do {
            if files.fileExists(atPath: fresh) {
                if files.fileExists(atPath: directory) {
                    try files.removeItem(atPath: fresh)
                } else {
                    try files.moveItem(atPath: fresh, toPath: directory)
                    try syncParent(of: directory)
                }
            }
            if files.fileExists(atPath: old) && files.fileExists(atPath: directory) {
                try files.removeItem(atPath: old)
            }
        } catch {
            throw LogStoreError(.journal, "cannot finish restarting \(directory) from a base: \(error)")
        }
    }

    private static func syncParent(of directory: String) throws(LogStoreError) {
        try sync(directory: (directory as NSString).deletingLastPathComponent)
    }

    static func sync(directory path: String) throws(LogStoreError) {
        let parent = path
        let fd = Glibc.open(parent.isEmpty ? "." : parent, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw LogStoreError(.journal, "cannot open \(parent) to sync it: errno \(errno)") }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw LogStoreError(.journal, "cannot sync \(parent): errno \(errno)") }
    }

    static func listDirectory(_ directory: String) throws(LogStoreError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw LogStoreError(.journal, "cannot list \(directory): \(error)")
        }
    }

    /// Like `entries`, but appends each entry to `writer` as a u32 length and its bytes, copied
    /// from the records read, and returns how many: a reply is built without a value per entry.
    public func encodedEntries(
        from index: UInt64, through last: UInt64 = .max, maxEntries: Int, maxBytes: Int, into writer: inout ByteWriter
    ) throws(LogStoreError) -> Int {
        let (anchor, durableEnd) = state.withLock { ($0.anchors.anchor(before: index), $0.durableLastIndex) }
        let end = min(last, durableEnd)
        guard index >= 1, index <= end else { return 0 }
        var records = journal.records(from: max(anchor?.slot ?? 1, journal.firstSequence))
        var count = 0
        var bytes = 0
        while count < maxEntries, count == 0 || bytes < maxBytes, let record = try Self.nextRecord(&records) {
            let chosen: EncodedChosenSlot
            do {
                chosen = try EncodedChosenSlot(decoding: record.bytes)
            } catch {
                throw LogStoreError(
                    .inconsistent, "\(directory): record \(record.sequence) is not a chosen slot: \(error)")
            }
            guard chosen.slot == record.sequence else {
                throw LogStoreError(
                    .inconsistent, "\(directory): record \(record.sequence) holds slot \(chosen.slot) instead")
            }
            guard chosen.lastIndex >= index, !chosen.appliedRanges.isEmpty else { continue }
            let skip = index > chosen.firstIndex ? Int(index - chosen.firstIndex) : 0
            for (offset, range) in chosen.appliedRanges.enumerated().dropFirst(skip) {
                guard chosen.firstIndex + UInt64(offset) <= end, count < maxEntries, count == 0 || bytes < maxBytes
                else { return count }
                writer.writeLengthPrefixed(chosen.bytes, range: range)
                count += 1
                bytes += range.count
            }
        }
        return count
    }

    /// Waits for queued writes, then closes the journal beneath.
    public func close() {
        journal.close()
    }

    private static func record(_ chosen: ChosenSlot, in state: inout State) {
        if (chosen.slot - 1) % anchorStride == 0 {
            state.anchors.append(IndexAnchor(slot: chosen.slot, firstIndex: chosen.firstIndex))
        }
        state.issuedSlot = chosen.slot
        state.issuedLastIndex = chosen.lastIndex
    }

    /// Checks that the store holds the position's slot and that it ends at the position's index.
    private static func check(_ position: LogStorePosition, in journal: Journal) throws(LogStoreError) {
        guard journal.lastSequence >= position.slot, journal.firstSequence <= position.slot else {
            throw LogStoreError(
                journal.firstSequence <= position.slot ? .behindCheckpoint : .notFound,
                "\(journal.directory) holds slots \(journal.firstSequence)...\(journal.lastSequence), but the "
                    + "checkpoint says slot \(position.slot) was written to it: the log store lost data")
        }
        var iterator = journal.records(from: position.slot)
        guard let record = try nextRecord(&iterator) else {
            throw LogStoreError(.notFound, "\(journal.directory): slot \(position.slot) cannot be read")
        }
        let chosen = try decode(record, in: journal.directory)
        guard chosen.lastIndex == position.lastIndex else {
            throw LogStoreError(
                .inconsistent,
                "\(journal.directory): slot \(position.slot) ends at index \(chosen.lastIndex), but the checkpoint "
                    + "says \(position.lastIndex): this log store is not the one the checkpoint was taken with")
        }
    }

    private static func nextRecord(_ iterator: inout JournalRecordIterator) throws(LogStoreError) -> JournalRecord? {
        do {
            return try iterator.next()
        } catch {
            throw LogStoreError(error)
        }
    }

    static func decode(_ record: JournalRecord, in directory: String) throws(LogStoreError) -> ChosenSlot {
        let chosen: ChosenSlot
        do {
            chosen = try ChosenSlot(decoding: record.bytes)
        } catch {
            throw LogStoreError(.inconsistent, "\(directory): record \(record.sequence) is not a chosen slot: \(error)")
        }
        guard chosen.slot == record.sequence else {
            throw LogStoreError(
                .inconsistent, "\(directory): record \(record.sequence) holds slot \(chosen.slot) instead")
        }
        return chosen
    }
}
