/// One step of `bench fsync`: the journal with a given number of concurrent appenders.
struct BenchStepResult: Encodable, Sendable {
    /// Concurrent appender tasks.
    var writers: Int
    /// Records appended and acknowledged durable.
    var records: Int
    /// Wall time from the first append to the last acknowledgement.
    var seconds: Double
    var recordsPerSecond: Double
    /// Record payload throughput in MB/s (10^6 bytes of records, before compression).
    var megabytesPerSecond: Double
    /// fdatasync calls per second (from the journal's metrics).
    var fsyncsPerSecond: Double
    /// Mean records covered by one fdatasync: the group commit factor.
    var recordsPerFsync: Double
    /// Share of the step's wall time the writer thread spent inside fdatasync: near 1 means the
    /// disk, not the journal, sets the pace.
    var fsyncBusyFraction: Double
    /// Uncompressed / stored payload bytes of the frames written.
    var compressionRatio: Double
    /// Mean bytes written (frame headers included) per fdatasync.
    var bytesPerFsync: Double
    /// Append latency percentiles (call to durable acknowledgement) in microseconds.
    var p50Microseconds: Double
    var p99Microseconds: Double
    /// recordsPerSecond ÷ the per-record baseline's fsyncs/s.
    var ratioToBaseline: Double
    /// p50 ÷ the per-record baseline's p50 (reported for the 1-writer step).
    var p50RatioToBaseline: Double?
    /// megabytesPerSecond ÷ the 1 MiB baseline's MB/s (reported when records are at least 64 KiB).
    var ratioToLargeWriteBaseline: Double?
    /// For W > 1: the disk alone (pwrite + fdatasync, no journal) writing what one fsync would
    /// carry if it held one record of every writer (W × the step's stored bytes per record).
    var fullBatchDisk: BenchBaselineResult?
    /// W × fullBatchDisk's fsyncs/s: the most records/s perfect group commit could reach on this
    /// disk; its ratio to the baseline's fsyncs/s says how far "W × baseline" is reachable here.
    var fullBatchCeilingRecordsPerSecond: Double?
}
