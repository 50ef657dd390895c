import Foundation

/// The human-readable rendering of a `bench fsync` report.
enum BenchTextFormat {
    /// What was measured and how, printed with every report (and in the JSON).
    static let method =
        "journal: W tasks each append one record at a time (journal.append, acknowledged after the fdatasync "
        + "covering it) to a fresh journal for the step's duration; latency is call to acknowledgement. "
        + "baseline: one thread, one record-sized pwrite + fdatasync per record, sequentially through a "
        + "posix_fallocate'd 64 MiB file in the same directory, re-preallocated when full. "
        + "disk max (W > 1): W x the fsyncs/s of the same loop writing W records per pwrite, what perfect "
        + "group commit could reach. "
        + "MB = 10^6 bytes of records before compression."

    /// The report as lines.
    static func lines(_ report: BenchReport) -> [String] {
        var lines = ["method: " + method]
        lines.append(
            "records: \(report.recordSize) bytes, \(report.payload), codec \(report.codec), "
                + "\(number(report.secondsPerStep)) s per step")
        let baseline = report.baseline
        lines.append(
            "baseline (pwrite + fdatasync per record): \(number(baseline.fsyncsPerSecond)) records/s = fsyncs/s, "
                + "\(number(baseline.megabytesPerSecond)) MB/s, p50 \(micro(baseline.p50Microseconds)), "
                + "p99 \(micro(baseline.p99Microseconds))")
        if let large = report.largeWriteBaseline {
            lines.append(
                "baseline (1 MiB pwrite + fdatasync): \(number(large.megabytesPerSecond)) MB/s, "
                    + "\(number(large.fsyncsPerSecond)) fsyncs/s, p50 \(micro(large.p50Microseconds)), "
                    + "p99 \(micro(large.p99Microseconds))")
        }
        var header = [
            "writers", "records/s", "MB/s", "fsyncs/s", "rec/fsync", "in fsync", "compression", "p50", "p99",
            "x baseline", "disk max", "of max",
        ]
        if report.largeWriteBaseline != nil { header.append("x 1MiB MB/s") }
        var table = InspectTable(header: header, numeric: Set(0..<header.count))
        for step in report.steps {
            var row = [
                String(step.writers), number(step.recordsPerSecond), number(step.megabytesPerSecond),
                number(step.fsyncsPerSecond), number(step.recordsPerFsync),
                String(format: "%.0f%%", 100 * step.fsyncBusyFraction), number(step.compressionRatio),
                micro(step.p50Microseconds), micro(step.p99Microseconds), number(step.ratioToBaseline),
                step.fullBatchCeilingRecordsPerSecond.map(number) ?? "-",
                step.fullBatchCeilingRecordsPerSecond.map {
                    String(format: "%.0f%%", 100 * step.recordsPerSecond / max($0, 1e-9))
                } ?? "-",
            ]
            if report.largeWriteBaseline != nil { row.append(step.ratioToLargeWriteBaseline.map(number) ?? "-") }
            table.rows.append(row)
        }
        lines += table.lines()
        for step in report.steps {
            if let ratio = step.p50RatioToBaseline {
                lines.append("1 writer p50 latency / baseline p50: \(number(ratio))")
            }
        }
        if let reopen = report.reopen {
            lines.append(
                "reopen: \(reopen.bytes >> 20) MiB in \(reopen.segments) segments, \(reopen.records) records "
                    + "(written in \(number(reopen.writeSeconds)) s); "
                    + "open with recovery scan and crc32 of every frame: "
                    + "cold \(number(reopen.coldSeconds)) s = \(number(reopen.coldMegabytesPerSecond)) MB/s, "
                    + "warm \(number(reopen.warmSeconds)) s = \(number(reopen.warmMegabytesPerSecond)) MB/s")
        }
        return lines
    }

    /// Three significant digits at most, never scientific notation.
    static func number(_ value: Double) -> String {
        if value >= 100 { return String(format: "%.0f", value) }
        if value >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }

    /// A latency in microseconds as µs or ms.
    static func micro(_ value: Double) -> String {
        value >= 1000 ? number(value / 1000) + " ms" : number(value) + " us"
    }
}
