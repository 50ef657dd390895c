import Foundation
import PaxosCompression
import PaxosTestSupport
import Synchronization
import Testing

@testable import PaxosJournal

/// Helpers shared by the journal tests: deterministic records, raw file surgery, reading back.
enum JournalTestSupport {
    /// A deterministic record for `sequence`: size and bytes derived from it, half compressible.
    static func record(_ sequence: UInt64, size: Int? = nil) -> [UInt8] {
        var state = sequence &* 0x9E37_79B9_7F4A_7C15 ^ 0xD1B5_4A32_D192_ED03
        let count = size ?? Int(state % 400)
        var bytes = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            if index % 8 == 0 { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 }
            bytes[index] = index % 64 < 32 ? UInt8(truncatingIfNeeded: state >> ((index % 8) * 8)) : UInt8(index % 5)
        }
        return bytes
    }

    /// Incompressible bytes from a seeded generator.
    static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    /// Small-segment options, so tests cross segment boundaries quickly.
    static func smallOptions(codec: Codec = .lz4, segmentSize: Int = 64 << 10) -> JournalOptions {
        JournalOptions(codec: codec, segmentSize: segmentSize)
    }

    /// Every record from `first` to the durable end, through the streaming iterator.
    static func readAll(_ journal: Journal, from first: UInt64 = 1) throws(JournalError) -> [JournalRecord] {
        var iterator = journal.records(from: first)
        var records: [JournalRecord] = []
        while let record = try iterator.next() { records.append(record) }
        return records
    }

    /// The whole contents of a file.
    static func bytes(of path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Replaces the whole contents of a file, in place and without fsync (Foundation's
    /// `Data.write` fsyncs, which made the bit-flip test disk-bound).
    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = try Posix.open(path, O_WRONLY | O_CREAT)
        defer { Posix.close(fd) }
        try Posix.writeAll(fd, bytes, at: 0, path: path, syscalls: .system)
        try Posix.truncate(fd, to: Int64(bytes.count), path: path)
    }

    /// Segment file paths of a journal, in order.
    static func segments(_ directory: String) throws -> [String] {
        try JournalScanner.segmentFiles(in: directory)
    }

    /// Appends `count` records made by ``record(_:size:)`` one batch at a time, in `batches` batches.
    @discardableResult
    static func fill(_ journal: Journal, records count: Int, batchSize: Int = 1) async throws -> [[UInt8]] {
        var written: [[UInt8]] = []
        var next = journal.lastSequence + 1
        while written.count < count {
            let batch = (0..<min(batchSize, count - written.count)).map { record(next + UInt64($0)) }
            let range = try await journal.append(contentsOf: batch)
            #expect(range.lowerBound == next)
            next = range.upperBound + 1
            written += batch
        }
        return written
    }
}

/// A counter closures can share: how the syscall seam decides when to fail.
final class SyscallCounter: Sendable {
    private let state = Mutex<(calls: Int, failFrom: Int)>((0, .max))

    /// Makes every call from the `n`th (counting from 1) on fail.
    func failFrom(_ n: Int) { state.withLock { $0.failFrom = n } }

    /// Fails all later calls.
    func failFromNow() { state.withLock { $0.failFrom = $0.calls + 1 } }

    /// Counts a call and says whether it must fail.
    func shouldFail() -> Bool {
        state.withLock { state in
            state.calls += 1
            return state.calls >= state.failFrom
        }
    }
}
