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
    /// The system calls the writer makes; tests replace them to inject failures.
    public var syscalls: JournalSyscalls = .system

    public init(
        codec: Codec = .lz4, segmentSize: Int = 64 << 20, maxBatchBytes: Int = 1 << 20, maxBatchRecords: Int = 4096,
        groupWaitMicroseconds: Int = 0, syscalls: JournalSyscalls = .system
    ) {
        self.codec = codec
        self.segmentSize = segmentSize
        self.maxBatchBytes = maxBatchBytes
        self.maxBatchRecords = maxBatchRecords
        self.groupWaitMicroseconds = groupWaitMicroseconds
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
