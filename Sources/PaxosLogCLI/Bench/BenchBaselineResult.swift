/// What the raw-disk baselines measured: the ceiling the journal is compared against.
struct BenchBaselineResult: Encodable, Sendable {
    /// `record` (one record-sized pwrite + fdatasync per record) or `1MiB` (1 MiB per write + fdatasync).
    var kind: String
    /// Bytes per write.
    var writeSize: Int
    /// Writes completed.
    var writes: Int
    /// Wall time of the loop.
    var seconds: Double
    /// Writes (each with its own fdatasync) per second.
    var fsyncsPerSecond: Double
    /// Payload throughput in MB/s (10^6 bytes).
    var megabytesPerSecond: Double
    /// pwrite + fdatasync latency percentiles in microseconds.
    var p50Microseconds: Double
    var p99Microseconds: Double
}
