import Foundation

/// The plots of `bench fsync --plot` and `bench cluster --plot`.
extension BenchPlot {
    static let colors = (throughput: "#1f77b4", ceiling: "#2ca02c", p50: "#ff7f0e", p99: "#d62728")

    /// Journal throughput and append latency against the writer count, with the disk's baseline.
    static func fsync(_ report: BenchReport) -> BenchPlot {
        let steps = report.steps
        return BenchPlot(
            title: "paxoslog bench fsync: durable journal appends",
            subtitle:
                "\(report.recordSize)-byte records, \(report.codec), \(Self.format(report.secondsPerStep)) s per step; "
                + "dashed: one pwrite + fdatasync per record on the same disk, same run",
            xLabel: "concurrent writers", steps: steps.map { "\($0.writers)" },
            panels: [
                Panel(
                    title: "Throughput", unit: "records/s",
                    series: [
                        Series(name: "journal", color: colors.throughput, values: steps.map(\.recordsPerSecond)),
                        Series(
                            name: "disk max (full batches)", color: colors.ceiling,
                            values: steps.map(\.fullBatchCeilingRecordsPerSecond)),
                    ],
                    baselines: [Baseline(name: "baseline fsyncs/s", value: report.baseline.fsyncsPerSecond)]),
                Panel(
                    title: "Append latency", unit: "ms",
                    series: [
                        Series(name: "p50", color: colors.p50, values: steps.map { $0.p50Microseconds / 1000 }),
                        Series(name: "p99", color: colors.p99, values: steps.map { $0.p99Microseconds / 1000 }),
                    ],
                    baselines: [
                        Baseline(name: "baseline p50", value: report.baseline.p50Microseconds / 1000),
                        Baseline(name: "baseline p99", value: report.baseline.p99Microseconds / 1000),
                    ]),
            ])
    }

    /// Cluster commits and commit latency against the client count (the steps with one append at
    /// a time per client; a streaming step has no per-commit latency and is left out).
    static func cluster(
        _ steps: [ClusterBenchStep], nodes: Int, entryBytes: Int, baseline: BenchBaselineResult
    ) -> BenchPlot {
        let measured = steps.compactMap { step in step.latency.map { (step, $0) } }
        return BenchPlot(
            title: "paxoslog bench cluster: \(nodes) nodes, commits acknowledged after a majority fsynced",
            subtitle:
                "\(entryBytes)-byte entries; dashed: one \(entryBytes)-byte pwrite + fdatasync at a time on the same "
                + "disk, same run",
            xLabel: "concurrent clients", steps: measured.map { "\($0.0.clients)" },
            panels: [
                Panel(
                    title: "Throughput", unit: "commits/s",
                    series: [
                        Series(
                            name: "commits/s", color: colors.throughput, values: measured.map { $0.0.commitsPerSecond })
                    ],
                    baselines: [Baseline(name: "disk fsyncs/s", value: baseline.fsyncsPerSecond)]),
                Panel(
                    title: "Commit latency", unit: "ms",
                    series: [
                        Series(
                            name: "p50", color: colors.p50,
                            values: measured.map { $0.1.microseconds(atPercentile: 50) / 1000 }),
                        Series(
                            name: "p99", color: colors.p99,
                            values: measured.map { $0.1.microseconds(atPercentile: 99) / 1000 }),
                    ],
                    baselines: [
                        Baseline(name: "disk p50", value: baseline.p50Microseconds / 1000),
                        Baseline(name: "disk p99", value: baseline.p99Microseconds / 1000),
                    ]),
            ])
    }

    /// Writes the plot's SVG to `path`.
    func write(to path: String) throws(CLIError) {
        do {
            try Data(svg().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CLIError("cannot write the plot to \(path): \(error.localizedDescription)")
        }
    }
}
