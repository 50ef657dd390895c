import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The group-commit loop that runs on the journal's one dedicated writer thread.
///
/// Each turn takes everything queued (within the batch bounds), encodes it as one frame, makes one
/// pwrite and one fdatasync, publishes the new durable watermark and only then completes the
/// appenders. While it syncs, new appends gather into the next batch. It owns the open segment, so
/// none of its state is shared.
struct JournalWriter {
    let core: JournalCore
    var segment: OpenSegment?
    var nextSequence: UInt64
    var nextSegmentID: UInt64
    /// Whether to wait for the appenders just completed before taking the next batch.
    var cohort = CohortWait()
    /// The frame being written, reused from batch to batch (see ``FrameEncoder``).
    var frameBuffer: [UInt8] = []
    /// Bytes written since the last fdatasync (for a journal that does not sync every batch).
    var unsyncedBytes = 0

    init(core: JournalCore, start: WriterStart) {
        self.core = core
        self.segment = start.segment
        self.nextSequence = start.nextSequence
        self.nextSegmentID = start.nextSegmentID
    }

    private var syscalls: JournalSyscalls { core.options.syscalls }

    /// The page cache's unit: only whole pages are dropped.
    static let pageSize = Int64(max(4096, sysconf(Int32(_SC_PAGESIZE))))

    /// Runs until the journal closes, then closes the segment and signals `writerExited`.
    mutating func run() {
        core.writerThread.withLock { $0 = pthread_self() }
        while let batch = core.nextBatch(cohort: &cohort) {
            write(batch)
        }
        if let segment {
            if !core.options.syncsEveryBatch { syncOpenSegment() }
            Posix.close(segment.fd)
        }
        core.lockToReleaseOnExit.withLock { lock in
            lock?.release()
            lock = nil
        }
        core.writerExited.signal()
    }

    /// Writes one batch as a frame, syncs it (unless the journal defers syncs and nobody asked for
    /// one), then completes its requests.
    private mutating func write(_ batch: [PendingAppend]) {
        if let failure = core.failure {
            for request in batch { request.completion(.failure(failure)) }
            return
        }
        let syncRequests = batch.filter(\.isSyncRequest)
        let appends = batch.filter { !$0.isSyncRequest }
        let mustSync =
            core.options.syncsEveryBatch || !syncRequests.isEmpty || unsyncedBytes >= core.options.deferredSyncBytes
        var synced = false
        if !appends.isEmpty {
            synced = writeFrame(appends, sync: mustSync)
        }
        guard !syncRequests.isEmpty else { return }
        if !synced && core.failure == nil { syncOpenSegment() }
        if let failure = core.failure {
            for request in syncRequests { request.completion(.failure(failure)) }
            return
        }
        let sequence = core.published.withLock { $0.syncedSequence }
        for request in syncRequests { request.completion(.success(sequence...sequence)) }
    }

    /// Makes everything written to the open segment durable (earlier segments were synced when
    /// the writer left them).
    private mutating func syncOpenSegment() {
        if let target = segment, case .failure(let error) = syscalls.fdatasync(target.fd) {
            core.fail(
                JournalError(
                    .fsyncFailed, "fdatasync failed; the journal must be reopened", path: target.path,
                    errno: error.code), inFlight: [])
            return
        }
        core.published.withLock { $0.syncedSequence = $0.durableSequence }
        unsyncedBytes = 0
    }

    /// Writes the batch's records as one frame and, when `sync`, fdatasyncs it; completes the
    /// batch's requests. Returns whether the frame was written and synced.
    @discardableResult
    private mutating func writeFrame(_ batch: [PendingAppend], sync: Bool) -> Bool {
        let first = nextSequence
        let header: FrameHeader
        do {
            header = try FrameEncoder.encode(
                batch.flatMap(\.records), firstSequence: first, codec: core.options.codec, into: &frameBuffer)
        } catch {
            for request in batch { request.completion(.failure(error)) }
            return false
        }
        defer {
            // One huge request must not pin its memory for the journal's lifetime.
            if frameBuffer.capacity > 2 * core.options.maxBatchBytes + (64 << 10) { frameBuffer = [] }
        }
        let frame = (bytes: frameBuffer, header: header)
        let last = frame.header.lastSequence
        core.published.withLock { $0.lastSequence = last }

        var target: OpenSegment
        do {
            target = try segmentWithRoom(for: frame.bytes.count, baseSequence: first)
        } catch {
            core.published.withLock { $0.lastSequence = first - 1 }
            if error.code == .fsyncFailed {
                core.fail(error, inFlight: batch)
            } else {
                // Nothing was written: a full disk or a failed create is not final, the next
                // append tries again.
                for request in batch { request.completion(.failure(error)) }
            }
            return false
        }

        let offset = target.endOffset
        let written = frame.bytes.withUnsafeBytes { syscalls.pwrite(target.fd, $0, offset) }
        switch written {
        case .success(let count) where count == frame.bytes.count:
            break
        case .success(let count):
            core.fail(
                JournalError(
                    .io, "short write (expected \(frame.bytes.count) bytes, wrote \(count)); reopen the journal",
                    path: target.path, offset: offset), inFlight: batch)
            return false
        case .failure(let error):
            core.fail(
                JournalError(
                    error.code == ENOSPC ? .noSpace : .io, "write failed; reopen the journal", path: target.path,
                    offset: offset, errno: error.code), inFlight: batch)
            return false
        }

        let started = DispatchTime.now().uptimeNanoseconds
        if sync, case .failure(let error) = syscalls.fdatasync(target.fd) {
            core.fail(
                JournalError(
                    .fsyncFailed, "fdatasync failed; the journal must be reopened", path: target.path, offset: offset,
                    errno: error.code), inFlight: batch)
            return false
        }
        let elapsed = DispatchTime.now().uptimeNanoseconds - started
        unsyncedBytes = sync ? 0 : unsyncedBytes + frame.bytes.count

        target.endOffset += Int64(frame.bytes.count)
        target.isEmpty = false
        segment = target
        nextSequence = last + 1
        let location = FrameLocation(offset: offset, firstSequence: first, recordCount: frame.header.recordCount)
        core.published.withLock { state in
            if var lastSegment = state.index.segments.popLast() {
                lastSegment.append(location)
                state.index.segments.append(lastSegment)
            }
            state.durableSequence = last
            if sync {
                state.syncedSequence = last
                _ = state.metrics.fsyncLatencyNanoseconds.record(elapsed)
                state.metrics.fsyncCount += 1
            }
            state.metrics.batches += 1
            state.metrics.recordsWritten += Int(frame.header.recordCount)
            state.metrics.bytesUncompressed += Int(frame.header.uncompressedLength)
            state.metrics.bytesStored += Int(frame.header.storedLength)
            state.metrics.bytesWritten += frame.bytes.count
        }

        let alreadyQueued = core.queue.withLock { $0.pending.count }
        cohort.prepare(completed: batch.count, alreadyQueued: alreadyQueued, syncNanoseconds: elapsed)
        var sequence = first
        for request in batch {
            let range = sequence...(sequence + UInt64(request.records.count) - 1)
            sequence = range.upperBound + 1
            request.completion(.success(range))
        }
        core.options.batchObserver?(
            JournalBatchReport(
                records: Int(frame.header.recordCount), bytesUncompressed: Int(frame.header.uncompressedLength),
                bytesStored: Int(frame.header.storedLength), bytesWritten: frame.bytes.count,
                fsyncNanoseconds: sync ? elapsed : nil))
        // After the appenders are released: the advice is not on their path. The descriptor stays
        // open until the writer exits, even if a completion closed the journal.
        if sync { dropCompletedPages() }
        return sync
    }

    /// Drops the synced whole pages of the open segment from the page cache (see
    /// ``JournalOptions/keepsWrittenPagesCached``).
    private mutating func dropCompletedPages() {
        guard !core.options.keepsWrittenPagesCached, var target = segment else { return }
        let pages = target.completedPages(pageSize: Self.pageSize)
        guard !pages.isEmpty else { return }
        syscalls.dropCachedPages(target.fd, pages.lowerBound, pages.upperBound - pages.lowerBound)
        target.cacheDroppedUpTo = pages.upperBound
        segment = target
    }

    /// The current segment if the frame fits, else a newly created one big enough for it.
    private mutating func segmentWithRoom(for frameBytes: Int, baseSequence: UInt64) throws(JournalError)
        -> OpenSegment
    {
        if let segment, segment.endOffset + Int64(frameBytes) <= segment.capacity {
            return segment
        }
        let size = max(core.options.segmentSize, JournalFormat.segmentHeaderSize + frameBytes)
        let created = try SegmentCreator.create(
            directory: core.directory, segmentID: nextSegmentID, baseSequence: baseSequence, size: Int64(size),
            codec: core.options.codec, syscalls: syscalls)
        nextSegmentID += 1
        if let segment {
            // A journal that defers syncs makes a segment durable before leaving it, so that only
            // the open segment can hold unsynced records.
            if !core.options.syncsEveryBatch {
                if case .failure(let error) = syscalls.fdatasync(segment.fd) {
                    Posix.close(created.fd)
                    throw JournalError(
                        .fsyncFailed, "fdatasync failed; the journal must be reopened", path: segment.path,
                        errno: error.code)
                }
                core.published.withLock { $0.syncedSequence = $0.durableSequence }
                unsyncedBytes = 0
            }
            Posix.close(segment.fd)
        }
        let left = segment
        segment = created
        let sealed = core.published.withLock { state -> SegmentIndex? in
            // An empty segment with the same base was just replaced by rename.
            if let last = state.index.segments.last, last.baseSequence == baseSequence, last.isEmpty {
                state.index.segments.removeLast()
            }
            // The segment left behind is sealed.
            var sealed: SegmentIndex?
            if let last = state.index.segments.indices.last {
                state.index.segments[last].makeSparse()
                sealed = state.index.segments[last]
            }
            state.index.segments.append(
                SegmentIndex(path: created.path, segmentID: created.segmentID, baseSequence: baseSequence, frames: []))
            state.metrics.segmentsCreated += 1
            return sealed
        }
        if core.options.trustsSealedSegments, let left, let sealed, !sealed.isEmpty, sealed.path == left.path {
            // The segment left is durable (synced above, or batch by batch). The seal is only an
            // optimization for the next open: without it the segment is read instead.
            try? SegmentSeal(
                segmentID: sealed.segmentID, baseSequence: sealed.baseSequence, lastSequence: sealed.lastSequence,
                endOffset: left.endOffset, fileSize: left.capacity, frames: sealed.frames
            ).write(for: left.path)
        }
        return created
    }
}
