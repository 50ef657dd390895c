/// Everything one `bench fsync` run measured, as printed by `--json`.
struct BenchReport: Encodable, Sendable {
    /// How the figures were obtained, in words.
    var method: String
    /// Record size in bytes.
    var recordSize: Int
    /// Codec the journal was opened with.
    var codec: String
    /// `random` (incompressible) or `text` (log lines).
    var payload: String
    /// Seconds per step.
    var secondsPerStep: Double
    /// One record-sized pwrite + fdatasync per record.
    var baseline: BenchBaselineResult
    /// 1 MiB writes + fdatasync, measured when records are at least 64 KiB.
    var largeWriteBaseline: BenchBaselineResult?
    /// One entry per writer count.
    var steps: [BenchStepResult]
    /// With --reopen-mib.
    var reopen: BenchReopenResult?
}
