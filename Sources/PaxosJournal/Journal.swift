import Foundation
import Synchronization

/// A durable, checksummed, segmented append-only log of byte records numbered from 1.
///
/// One dedicated writer thread owns the files and group-commits: every append completes only after
/// the fdatasync covering its record returned. A failed fdatasync or write is final (every pending
/// and later append fails; reopen the journal), because after a failed fsync the kernel may have
/// dropped the dirty pages and a retry could acknowledge data that is not on disk.
/// Format and recovery rules: see ``JournalFormat`` and ``Journal/open(directory:options:)``.
public final class Journal: Sendable {
    let core: JournalCore
    private let lock: JournalLock
    private let closeStarted = Mutex(false)

    /// What this open found that may mean synced records are gone (see ``OpenFindings``).
    public let openFindings: OpenFindings

    /// Records how far the journal was durable, outside the segments (nil when disabled).
    private let reach: ReachMarker?

    private init(core: JournalCore, lock: JournalLock, start: WriterStart, reach: ReachMarker?) {
        self.core = core
        self.lock = lock
        self.reach = reach
        openFindings = start.findings
        let thread = Thread { [core] in
            var writer = JournalWriter(core: core, start: start)
            writer.run()
        }
        thread.name = "paxoslog-journal-writer"
        thread.start()
    }

    deinit {
        close()
    }

    /// Opens (creating if needed) the journal in `directory` and recovers it.
    ///
    /// Recovery scans every segment and verifies every frame. A torn tail in the last segment (a
    /// damaged frame with no valid frame after it: what a crash mid-write leaves) is cut off and
    /// zeroed. Any other damage fails the open with `.corrupt` naming file and offset, and nothing is
    /// changed; ``repair(directory:)`` can then cut the log at the damage.
    ///
    /// - Throws: `.locked` when another open journal holds the directory, `.corrupt`,
    ///   `.unsupportedVersion`, `.io`, `.invalidArgument` for bad options.
    public static func open(directory: String, options: JournalOptions = JournalOptions()) throws(JournalError)
        -> Journal
    {
        try options.validate()
        try Posix.makeDirectory(directory)
        let lock = try JournalLock.acquire(directory: directory)
        do {
            let (published, start) = try JournalRecovery.recover(directory: directory, options: options)
            let core = JournalCore(directory: directory, options: options, published: published)
            let reach = try options.reachInterval.map { interval throws(JournalError) in
                try ReachMarker(
                    directory: directory, interval: interval,
                    durable: { core.published.withLock { $0.syncedSequence } },
                    // A failed fdatasync of the marker means the disk failed: final, as for the segments.
                    onFailure: { error in core.fail(error, inFlight: []) })
            }
            return Journal(core: core, lock: lock, start: start, reach: reach)
        } catch {
            lock.release()
            throw error
        }
    }

    // MARK: Appending

    /// Appends `records` as one unit with contiguous sequence numbers.
    ///
    /// `completion` runs on the writer thread once the fdatasync covering the records returned, so
    /// it must be quick and must not block; if the journal already failed or was closed it runs at
    /// once on the caller's thread instead.
    public func append(
        contentsOf records: [[UInt8]],
        completion: @escaping @Sendable (Result<ClosedRange<UInt64>, JournalError>) -> Void
    ) {
        guard !records.isEmpty else {
            completion(.failure(JournalError(.invalidArgument, "cannot append an empty list of records")))
            return
        }
        let bytes = records.reduce(0) { $0 + RecordPayload.encodedSize(ofRecordWithCount: $1.count) }
        guard bytes <= JournalFormat.maxPayloadBytes else {
            completion(
                .failure(
                    JournalError(
                        .invalidArgument,
                        "\(bytes) bytes in one append exceed the limit of \(JournalFormat.maxPayloadBytes)")))
            return
        }
        core.enqueue(PendingAppend(records: records, payloadBytes: bytes, completion: completion))
    }

    /// Makes every record written so far durable (for a journal that does not sync every batch;
    /// see ``JournalOptions/syncsEveryBatch``). `completion` runs on the writer thread with the
    /// synced sequence number.
    public func sync(completion: @escaping @Sendable (Result<UInt64, JournalError>) -> Void) {
        core.enqueue(
            PendingAppend(records: [], payloadBytes: 0, isSyncRequest: true) { result in
                completion(result.map(\.upperBound))
            })
    }

    /// The highest sequence number known synced (equal to `durableSequence` unless the journal
    /// does not sync every batch).
    public var syncedSequence: UInt64 { core.published.withLock { $0.syncedSequence } }

    /// Appends one record; `completion` runs as for ``append(contentsOf:completion:)``.
    public func append(_ record: [UInt8], completion: @escaping @Sendable (Result<UInt64, JournalError>) -> Void) {
        append(contentsOf: [record]) { result in completion(result.map(\.lowerBound)) }
    }

    /// Appends `records` with contiguous sequence numbers and returns them once they are durable.
    ///
    /// Cancellation does not stop an append: once queued, the records will be written.
    public func append(contentsOf records: [[UInt8]]) async throws(JournalError) -> ClosedRange<UInt64> {
        let result = await withCheckedContinuation { continuation in
            append(contentsOf: records) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Appends one record and returns its sequence number once it is durable.
    public func append(_ record: [UInt8]) async throws(JournalError) -> UInt64 {
        try await append(contentsOf: [record]).lowerBound
    }

    // MARK: State

    /// The highest sequence number known durable (0 for an empty journal).
    public var durableSequence: UInt64 { core.published.withLock { $0.durableSequence } }

    /// The highest sequence number handed out (durable, or in the batch being written).
    public var lastSequence: UInt64 { core.published.withLock { $0.lastSequence } }

    /// The first sequence number still held (retention may have dropped earlier ones).
    public var firstSequence: UInt64 { core.published.withLock { $0.index.firstSequence } }

    /// A snapshot of the counters and fsync latency histogram.
    public var metrics: JournalMetrics { core.published.withLock { $0.metrics } }

    /// The directory this journal lives in.
    public var directory: String { core.directory }

    // MARK: Reading

    /// The record with sequence number `sequence`, read from disk with its checksum verified.
    ///
    /// - Throws: `.notFound` outside `firstSequence...durableSequence`, `.corrupt` for a bad frame.
    public func readRecord(at sequence: UInt64) throws(JournalError) -> [UInt8] {
        let (path, found, exact) = try locate(sequence)
        let fd = try Posix.open(path, O_RDONLY)
        defer { Posix.close(fd) }
        let frame = exact ? found : try FrameReader.walk(to: sequence, from: found, fd: fd, path: path)
        let records = try FrameReader.records(fd: fd, path: path, location: frame)
        return records[Int(sequence - frame.firstSequence)]
    }

    /// An iterator over the records from `sequence` on, reading one frame at a time.
    public func records(from sequence: UInt64) -> JournalRecordIterator {
        JournalRecordIterator(journal: self, next: sequence)
    }

    /// The file and frame holding `sequence`, or the frame to read headers forward from (`exact`
    /// false: see `SegmentIndex`).
    func locate(_ sequence: UInt64) throws(JournalError) -> (path: String, frame: FrameLocation, exact: Bool) {
        let found = core.published.withLock {
            state -> Result<(path: String, frame: FrameLocation, exact: Bool), JournalError> in
            if state.closed { return .failure(JournalError(.closed, "journal is closed", path: core.directory)) }
            if let found = state.index.locate(sequence) { return .success(found) }
            return .failure(
                JournalError(
                    .notFound,
                    "sequence \(sequence) is not in the journal (it holds \(state.index.firstSequence)..."
                        + "\(state.durableSequence))", path: core.directory))
        }
        return try found.get()
    }

    /// Whether `sequence` is past the durable end (so an iterator has simply reached the end).
    func isPastEnd(_ sequence: UInt64) -> Bool {
        core.published.withLock { sequence > $0.durableSequence }
    }

    // MARK: Retention and shutdown

    /// Deletes every whole segment whose records all lie below `sequence`. The segment being
    /// written is never deleted. Returns how many segments were deleted.
    @discardableResult
    public func truncate(before sequence: UInt64) throws(JournalError) -> Int {
        let doomed = core.published.withLock { state -> [String] in
            var doomed: [String] = []
            while state.index.segments.count > 1, let first = state.index.segments.first,
                first.lastSequence < sequence
            {
                doomed.append(first.path)
                state.index.segments.removeFirst()
            }
            return doomed
        }
        for path in doomed {
            try Posix.unlink(path)
            try Posix.unlink(SegmentSeal.path(of: path))
        }
        if !doomed.isEmpty { try Posix.syncDirectory(core.directory, syscalls: core.options.syscalls) }
        return doomed.count
    }

    /// Completes every queued append, stops the writer thread and releases the lock. Later appends
    /// and reads fail with `.closed`. Blocks until the writer has finished (except when called from
    /// an append completion, which runs on the writer itself); calling it again is harmless.
    public func close() {
        let first = closeStarted.withLock { started -> Bool in
            defer { started = true }
            return !started
        }
        guard first else { return }
        let signal = core.queue.withLock { state -> Bool in
            state.closing = true
            defer { state.writerSleeping = false }
            return state.writerSleeping
        }
        if signal { core.wake.signal() }
        core.published.withLock { $0.closed = true }
        if core.isWriterThread {
            // Called from a completion (perhaps the last reference went away there): the writer
            // cannot wait for itself, so it releases the lock when it has drained the queue.
            core.lockToReleaseOnExit.withLock { $0 = lock }
            reach?.close(waiting: false)
            return
        }
        core.writerExited.wait()
        reach?.close()
        lock.release()
    }
}

extension Journal {
    /// True when `directory` holds at least one segment file: a journal was created there. Checked
    /// before `open`, which creates an empty journal where there is none.
    public static func containsSegments(directory: String) -> Bool {
        guard Posix.exists(directory), let names = try? Posix.listDirectory(directory) else { return false }
        return names.contains { $0.hasSuffix(JournalFormat.segmentSuffix) }
    }
}
