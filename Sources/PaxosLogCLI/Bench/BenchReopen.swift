import Foundation
import PaxosCompression
import PaxosJournal

#if canImport(Glibc)
    import Glibc
#endif

/// `--reopen-mib`: writes a big journal, closes it, and times `Journal.open`, whose recovery scan
/// reads every segment and verifies every frame's crc32 (it does not decompress payloads).
enum BenchReopen {
    /// Writes records until about `mebibytes` MiB are stored into `directory`, then measures cold and warm opens.
    static func run(
        directory: String, mebibytes: Int, records: BenchRecords, codec: Codec, progress: Bool
    ) async throws -> BenchReopenResult {
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let target = Int64(mebibytes) << 20
        let clock = ContinuousClock()
        let writeStart = clock.now
        let journal = try Journal.open(directory: directory, options: JournalOptions(codec: codec))
        // Batches of about 1 MiB, four in flight, until the stored bytes reach the target
        // (compressible records take more appends to fill it).
        let perBatch = max(1, min(4096, (1 << 20) / max(1, records.pool[0].count)))
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<4 {
                    group.addTask {
                        var batch = lane
                        while Int64(journal.metrics.bytesStored) < target {
                            let slice = (0..<perBatch).map { records.record(writer: batch, index: $0) }
                            _ = try await journal.append(contentsOf: slice)
                            batch += 4
                        }
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            journal.close()
            throw error
        }
        journal.close()
        let writeSeconds = (clock.now - writeStart) / .seconds(1)
        let scan = try JournalScanner.scan(directory: directory)
        let bytes = scan.segments.reduce(Int64(0)) { $0 + $1.endOffset }
        if progress { Output.note("bench: wrote \(bytes >> 20) MiB in \(format(writeSeconds)) s; reopening") }
        for segment in scan.segments { evict(segment.path) }
        let cold = try timedOpen(directory)
        let warm = try timedOpen(directory)
        return BenchReopenResult(
            bytes: bytes, segments: scan.segments.count, records: scan.lastSequence, writeSeconds: writeSeconds,
            coldSeconds: cold, coldMegabytesPerSecond: Double(bytes) / cold / 1e6,
            warmSeconds: warm, warmMegabytesPerSecond: Double(bytes) / warm / 1e6)
    }

    /// Seconds `Journal.open` takes, closing it again right away.
    private static func timedOpen(_ directory: String) throws(JournalError) -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        let journal = try Journal.open(directory: directory)
        let elapsed = (clock.now - start) / .seconds(1)
        journal.close()
        return elapsed
    }

    /// Drops the (clean, synced) file from the page cache so the next read comes from the disk.
    private static func evict(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
        close(fd)
    }

    private static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
