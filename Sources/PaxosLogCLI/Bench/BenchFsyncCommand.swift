import ArgumentParser
import Foundation
import PaxosCompression
import PaxosJournal

/// `paxoslog bench fsync`: durable append throughput of the journal against the disk's own
/// one-fdatasync-per-write rate, measured in the same run on the same directory.
struct BenchFsyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsync",
        abstract: "Measure durable journal appends against one fdatasync per record on the same disk.",
        discussion: """
            Steps, each for --seconds, on files created in DIR and removed \
            afterwards:
              1. Baseline: one thread pwrite()s one --size record and
                 fdatasync()s it, again and again, sequentially through a file
                 preallocated with posix_fallocate to 64 MiB as the journal
                 preallocates its segments (when full it is emptied and
                 preallocated again, as the journal starts a new segment:
                 overwriting would be cheaper than the journal's first writes
                 into preallocated space). Its writes/s are the disk's
                 fsyncs/s; its latency is what one durable write costs.
              2. When --size is at least 64 KiB: a second baseline of 1 MiB
                 per pwrite + fdatasync, the disk's durable bandwidth.
              3. For each writer count W in --writers: a fresh journal
                 (--codec, 64 MiB segments) and W concurrent tasks, each
                 appending one record at a time with `journal.append` and
                 awaiting it (acknowledged after the fdatasync covering it).
                 Reported: records/s; MB/s (10^6 bytes of records, before
                 compression); fsyncs/s and records per fsync (the group
                 commit factor, from the journal's metrics); compression
                 ratio; append latency p50/p99 (call to acknowledgement,
                 HdrHistogram); records/s divided by the baseline's fsyncs/s;
                 for 1 writer the p50 divided by the baseline's p50; with
                 64 KiB+ records MB/s divided by step 2's MB/s.
              4. For W > 1, the disk alone again (as in 1) writing what a
                 perfect group commit would: one pwrite of W records (the
                 step's bytes per record, headers included) + fdatasync.
                 W x its fsyncs/s is the most records/s this disk allows
                 at W writers ("disk max"); fsyncs cost more as writes
                 grow, so it is usually well below W x the baseline.
              5. With --reopen-mib N: a journal holding about N MiB (stored
                 bytes, 1 MiB batches) is written, closed, evicted from the
                 page cache (posix_fadvise DONTNEED) and reopened; the open
                 runs recovery, which reads every segment and verifies every
                 frame's crc32. Reported in MB/s of segment bytes in use, cold
                 (after eviction) and warm (reopened again at once).

            Records are incompressible by default; --payload text appends \
            log-like lines (timestamps, levels, key=value pairs) to measure \
            what compression gains. A progress line per step goes to standard \
            error when it is a terminal. The default run (baseline and 4 \
            writer counts, 3 s each) takes about 25 s. Run it on the disk to \
            measure, not on tmpfs.

            Examples:
              paxoslog bench fsync --dir /var/tmp/bench
              paxoslog bench fsync --dir /var/tmp/b --writers 8 --size 65536 --codec none
              paxoslog bench fsync --dir /var/tmp/bench --writers 64 --payload text
              paxoslog bench fsync --dir /var/tmp/bench --writers 1 --reopen-mib 1024 --json
            """
    )

    @Option(help: "Directory to run in (created if missing); files created there are removed.")
    var dir: String

    @Option(help: "Comma-separated concurrent appender counts, one step each.")
    var writers: String = "1,16,64,256"

    @Option(help: "Record size in bytes.")
    var size: Int = 128

    @Option(help: "Seconds per step.")
    var seconds: Double = 3

    @Option(help: "Journal codec.")
    var codec: CodecArgument = .lz4

    @Option(help: "Record contents: random (incompressible) or text (log lines).")
    var payload: String = "random"

    @Option(name: .customLong("reopen-mib"), help: "Also write a journal of this many MiB and time reopening it.")
    var reopenMiB: Int?

    @Flag(help: "Print one JSON object with every step and baseline.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Also draw the results as an SVG: throughput and latency against writers, with the baseline.",
            valueName: "file.svg"))
    var plot: String?

    /// The parsed --writers list.
    var writerCounts: [Int] {
        writers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    func validate() throws {
        let parts = writers.split(separator: ",", omittingEmptySubsequences: false)
        guard !parts.isEmpty, writerCounts.count == parts.count, writerCounts.allSatisfy({ $0 > 0 && $0 <= 10_000 })
        else { throw ValidationError("--writers must be a comma-separated list of counts from 1 to 10000") }
        guard size > 0, size <= 16 << 20 else { throw ValidationError("--size must be from 1 to 16777216 bytes") }
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be positive (at most 3600)") }
        guard payload == "random" || payload == "text" else {
            throw ValidationError("--payload must be random or text")
        }
        if let reopenMiB, reopenMiB <= 0 { throw ValidationError("--reopen-mib must be positive") }
    }

    func run() async throws {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create \(dir): \(error.localizedDescription)")
        }
        let codec = self.codec.codec
        let progress = Output.stderrIsTerminal
        let records = BenchRecords(size: size, text: payload == "text")
        let segmentSize = JournalOptions().segmentSize
        let base = dir + "/paxoslog-bench-\(getpid())"
        let (size, seconds) = (self.size, self.seconds)

        if progress { Output.note("bench: baseline, one \(size)-byte pwrite + fdatasync per record, \(seconds) s") }
        let baseline = try await BenchThread.run { () throws(CLIError) in
            try BenchDiskBaseline.run(
                path: base + "-baseline.dat", kind: "record", writeSize: size, fileSize: segmentSize, seconds: seconds)
        }
        var large: BenchBaselineResult?
        if size >= 64 << 10 {
            if progress { Output.note("bench: baseline, 1 MiB pwrite + fdatasync, \(seconds) s") }
            large = try await BenchThread.run { () throws(CLIError) in
                try BenchDiskBaseline.run(
                    path: base + "-baseline-1m.dat", kind: "1MiB", writeSize: 1 << 20, fileSize: segmentSize,
                    seconds: seconds)
            }
        }
        var steps: [BenchStepResult] = []
        for count in writerCounts {
            if progress { Output.note("bench: journal, \(count) writer\(count == 1 ? "" : "s"), \(seconds) s") }
            var step = try await BenchJournalStep.run(
                directory: base + "-journal", writers: count, records: records, size: size, codec: codec,
                seconds: seconds)
            step.ratioToBaseline = step.recordsPerSecond / max(baseline.fsyncsPerSecond, 1e-9)
            if count == 1 { step.p50RatioToBaseline = step.p50Microseconds / max(baseline.p50Microseconds, 1e-9) }
            if let large {
                step.ratioToLargeWriteBaseline = step.megabytesPerSecond / max(large.megabytesPerSecond, 1e-9)
            }
            if count > 1, step.recordsPerFsync > 0 {
                let fullBatch = Int((step.bytesPerFsync / step.recordsPerFsync * Double(count)).rounded())
                if progress { Output.note("bench: disk alone, one \(fullBatch)-byte pwrite + fdatasync, \(seconds) s") }
                let disk = try await BenchThread.run { () throws(CLIError) in
                    try BenchDiskBaseline.run(
                        path: base + "-full-batch.dat", kind: "full batch", writeSize: max(1, fullBatch),
                        fileSize: segmentSize, seconds: seconds)
                }
                step.fullBatchDisk = disk
                step.fullBatchCeilingRecordsPerSecond = disk.fsyncsPerSecond * Double(count)
            }
            steps.append(step)
        }
        var reopen: BenchReopenResult?
        if let reopenMiB {
            if progress { Output.note("bench: writing a \(reopenMiB) MiB journal to time reopening it") }
            reopen = try await BenchReopen.run(
                directory: base + "-reopen", mebibytes: reopenMiB, records: records, codec: codec, progress: progress)
        }
        let report = BenchReport(
            method: BenchTextFormat.method, recordSize: size, codec: codec.description, payload: payload,
            secondsPerStep: seconds, baseline: baseline, largeWriteBaseline: large, steps: steps, reopen: reopen)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            Output.line(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            Output.write(BenchTextFormat.lines(report).map { $0 + "\n" }.joined())
        }
        if let plot {
            try BenchPlot.fsync(report).write(to: plot)
        }
    }
}
