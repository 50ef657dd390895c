import PaxosCompression

/// How a journal writes. Only the codec and sizes affect new data; anything can change between opens.
public struct JournalOptions: Sendable {
    /// Codec for new frames (each frame records its own, so changing it later is safe).
    public var codec: Codec = .lz4
    /// Size new segments are preallocated to. A batch larger than this gets a segment of its own size.
    public var segmentSize: Int = 64 << 20
    /// A batch stops growing at this many uncompressed payload bytes (one request is never split).
    public var maxBatchBytes: Int = 1 << 20
    /// A batch stops growing at this many records (one request is never split).
    public var maxBatchRecords: Int = 4096
    /// How long the writer waits for more records after picking up a non-full batch, in
    /// microseconds. 0 (the default) means never wait: an idle writer syncs a single record at once.
    public var groupWaitMicroseconds: Int = 0
    /// Whether the pages the writer has written and synced stay in the page cache. By default
    /// (false) the writer drops every page it has completely written and synced
    /// (`posix_fadvise(DONTNEED)` after the fdatasync), as PostgreSQL does with its WAL: a journal
    /// is written far more than it is re-read (recovery reads it once, at open), and keeping what
    /// it wrote makes the cache grow by the journal's whole write rate and makes every batch copy
    /// into pages the kernel must newly allocate. Dropped pages are freed at once and the next
    /// batches write into them again. Measured on a virtual machine that backs guest memory
    /// lazily, 8 writers × 64 KiB records: pwrite of a 512 KiB batch 1.0 ms → 0.11 ms, 265 → 554
    /// MB/s. Set it when readers keep re-reading recent records and should find them in memory.
    public var keepsWrittenPagesCached: Bool = false
    /// Whether every batch is synced before its appends complete (the default). When false, an
    /// append completes once written (readable, in the page cache, not durable); `Journal.sync`
    /// makes everything written so far durable, and so do leaving a segment and closing. For data
    /// that another durable log covers until it is synced on purpose (the node's log store).
    public var syncsEveryBatch: Bool = true
    /// When batches are not synced one by one, the writer still syncs once this many bytes were
    /// written since the last sync, so that the pages it wrote can be dropped from the page cache
    /// (dirty pages cannot be) and a sync before a checkpoint has little left to do.
    public var deferredSyncBytes: Int = 8 << 20
    /// How often the durable sequence is recorded in `REACHED`, so that a tail lost after it was
    /// synced is noticed at the next open (see ``OpenFindings/lostTail``); nil: never.
    public var reachInterval: Duration? = .milliseconds(100)
    /// Open sealed segments from their seals (`SegmentSeal`) instead of reading them: opening
    /// takes a header read per segment instead of a read of the whole journal. Damage in a sealed
    /// segment is then found when its records are read, not at open. For a journal whose history
    /// grows without bound and is read in place (the node's log store).
    public var trustsSealedSegments = false
    /// The system calls the writer makes; tests replace them to inject failures.
    public var syscalls: JournalSyscalls = .system
    /// Called on the writer thread after each frame is written (and synced), once its appenders
    /// were released: it must be quick and must not block (it delays the next batch).
    public var batchObserver: (@Sendable (JournalBatchReport) -> Void)? = nil

    public init(
        codec: Codec = .lz4, segmentSize: Int = 64 << 20, maxBatchBytes: Int = 1 << 20, maxBatchRecords: Int = 4096,
        groupWaitMicroseconds: Int = 0, keepsWrittenPagesCached: Bool = false, syscalls: JournalSyscalls = .system
    ) {
        self.codec = codec
        self.segmentSize = segmentSize
        self.maxBatchBytes = maxBatchBytes
        self.maxBatchRecords = maxBatchRecords
        self.groupWaitMicroseconds = groupWaitMicroseconds
        self.keepsWrittenPagesCached = keepsWrittenPagesCached
        self.syscalls = syscalls
    }

    /// Rejects sizes the writer cannot work with.
    func validate() throws(JournalError) {
        guard segmentSize >= 4096, segmentSize % JournalFormat.frameAlignment == 0 else {
            throw JournalError(.invalidArgument, "segment size \(segmentSize) must be a multiple of 8 of at least 4096")
        }
        guard maxBatchBytes > 0, maxBatchRecords > 0, groupWaitMicroseconds >= 0 else {
            throw JournalError(.invalidArgument, "batch limits must be positive and the group wait not negative")
        }
    }
}
