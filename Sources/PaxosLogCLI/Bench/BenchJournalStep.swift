import Foundation
import PaxosCompression
import PaxosJournal
import Synchronization

/// One measured step: `writers` concurrent tasks appending one record at a time to a fresh journal.
enum BenchJournalStep {
    /// Runs the step in `directory` (created, and removed afterwards) for `seconds`.
    static func run(
        directory: String, writers: Int, records: BenchRecords, size: Int, codec: Codec, seconds: Double
    ) async throws(JournalError) -> BenchStepResult {
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal.open(directory: directory, options: JournalOptions(codec: codec))
        defer { journal.close() }
        // The first segment is created on the first append: do it before the clock starts.
        _ = try await journal.append(records.record(writer: 0, index: 0))
        let before = journal.metrics
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int64(seconds * 1000))
        let outcome: Result<(Int, BenchLatency), JournalError> = await withTaskGroup(
            of: Result<(Int, BenchLatency), JournalError>.self
        ) { group in
            for writer in 0..<writers {
                group.addTask {
                    var latency = BenchLatency()
                    var count = 0
                    while clock.now < deadline {
                        let began = clock.now
                        do throws(JournalError) {
                            _ = try await journal.append(records.record(writer: writer, index: count))
                        } catch {
                            return .failure(error)
                        }
                        latency.record(clock.now - began)
                        count += 1
                    }
                    return .success((count, latency))
                }
            }
            var total = 0
            var latency = BenchLatency()
            for await result in group {
                switch result {
                case .failure(let error): return .failure(error)
                case .success(let (count, part)):
                    total += count
                    latency.add(part)
                }
            }
            return .success((total, latency))
        }
        let elapsed = (clock.now - start) / .seconds(1)
        let (total, latency) = try outcome.get()
        let after = journal.metrics
        let fsyncs = after.fsyncCount - before.fsyncCount
        let stored = after.bytesStored - before.bytesStored
        let uncompressed = after.bytesUncompressed - before.bytesUncompressed
        return BenchStepResult(
            writers: writers, records: total, seconds: elapsed, recordsPerSecond: Double(total) / elapsed,
            megabytesPerSecond: Double(total) * Double(size) / elapsed / 1e6,
            fsyncsPerSecond: Double(fsyncs) / elapsed,
            recordsPerFsync: fsyncs == 0 ? 0 : Double(after.recordsWritten - before.recordsWritten) / Double(fsyncs),
            fsyncBusyFraction: Self.secondsInFsync(before: before, after: after) / elapsed,
            compressionRatio: stored == 0 ? 1 : Double(uncompressed) / Double(stored),
            bytesPerFsync: fsyncs == 0 ? 0 : Double(after.bytesWritten - before.bytesWritten) / Double(fsyncs),
            p50Microseconds: latency.microseconds(atPercentile: 50),
            p99Microseconds: latency.microseconds(atPercentile: 99), ratioToBaseline: 0)
    }

    /// Time spent in fdatasync between two metric snapshots (the histograms are cumulative).
    static func secondsInFsync(before: JournalMetrics, after: JournalMetrics) -> Double {
        let total = { (metrics: JournalMetrics) -> Double in
            let histogram = metrics.fsyncLatencyNanoseconds
            return histogram.totalCount == 0 ? 0 : histogram.mean * Double(histogram.totalCount)
        }
        return max(0, total(after) - total(before)) / 1e9
    }
}
