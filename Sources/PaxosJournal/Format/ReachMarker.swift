import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `REACHED`: how far the journal was durable, recorded outside the segments, so that a tail lost
/// after it was synced is noticed at the next open.
///
/// A disk that acknowledged a write and lost it, or a segment cut and re-extended to its size,
/// leaves a journal that ends cleanly at an earlier frame: nothing in the segments says more
/// existed. So a thread of its own records the durable sequence number here every `interval` (only
/// when it advanced, and once more at close), off the writer's path; at
/// open, a journal ending below what REACHED says is a finding (``OpenFindings/lostTail``). What
/// was synced within the last interval before a loss is not covered, nor is a journal restored
/// whole from a backup (its REACHED is as old as its segments).
///
/// Format: two 32-byte slots written alternately (a torn write spoils at most one), each magic
/// `PXLGRCHD` (8), counter (8), durable sequence (8), zero (4), CRC-32 of the preceding 28 (4);
/// the valid slot with the higher counter counts.
final class ReachMarker: Sendable {
    static let fileName = "REACHED"
    static let magic = Array("PXLGRCHD".utf8)
    static let slotSize = 32

    private struct State: Sendable {
        var counter: UInt64
        var recorded: UInt64
        var failed = false
    }

    private let fd: Int32
    private let path: String
    private let durable: @Sendable () -> UInt64
    private let onFailure: @Sendable (JournalError) -> Void
    private let state: Mutex<State>
    private let interval: DispatchTimeInterval
    /// Signalled by `close` to stop the thread, and by the thread when it has stopped.
    private let stop = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)

    /// Opens (creating) `REACHED` in `directory` and records `durable()` every `interval` when it advanced.
    init(
        directory: String, interval: Duration, durable: @escaping @Sendable () -> UInt64,
        onFailure: @escaping @Sendable (JournalError) -> Void
    ) throws(JournalError) {
        path = directory + "/" + Self.fileName
        let existed = Posix.exists(path)
        fd = try Posix.open(path, O_RDWR | O_CREAT, mode: 0o644)
        if !existed {
            try Posix.syncDirectory(directory, syscalls: .system)
        }
        let found = Self.slots(try Posix.pread(fd, count: 2 * Self.slotSize, at: 0, path: path))
        let latest = found.max { $0.counter < $1.counter }
        state = Mutex(State(counter: latest?.counter ?? 0, recorded: latest?.sequence ?? 0))
        self.durable = durable
        self.onFailure = onFailure
        let (seconds, attoseconds) = interval.components
        self.interval = .nanoseconds(max(1_000_000, Int(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)))
        let thread = Thread { [self] in
            while stop.wait(timeout: .now() + self.interval) == .timedOut {
                recordIfAdvanced()
            }
            recordIfAdvanced()
            Posix.close(fd)
            stopped.signal()
        }
        thread.name = "paxoslog-journal-reach"
        thread.start()
    }

    /// Stops the thread, which records the durable sequence a last time and closes the file;
    /// `waiting` until it has.
    func close(waiting: Bool = true) {
        stop.signal()
        if waiting { stopped.wait() }
    }

    private func recordIfAdvanced() {
        let sequence = durable()
        let slot: (offset: Int64, bytes: [UInt8])? = state.withLock { state in
            guard !state.failed, sequence > state.recorded else { return nil }
            state.counter += 1
            state.recorded = sequence
            return (
                Int64(state.counter % 2) * Int64(Self.slotSize), Self.encode(counter: state.counter, sequence: sequence)
            )
        }
        guard let slot else { return }
        do throws(JournalError) {
            try Posix.writeAll(fd, slot.bytes, at: slot.offset, path: path, syscalls: .system)
            if case .failure(let error) = JournalSyscalls.system.fdatasync(fd) {
                throw JournalError(.fsyncFailed, "fdatasync of the reach marker failed", path: path, errno: error.code)
            }
        } catch {
            state.withLock { $0.failed = true }
            onFailure(error)
        }
    }

    static func encode(counter: UInt64, sequence: UInt64) -> [UInt8] {
        var bytes = magic
        LittleEndianBytes.append(counter, to: &bytes)
        LittleEndianBytes.append(sequence, to: &bytes)
        LittleEndianBytes.append(UInt32(0), to: &bytes)
        LittleEndianBytes.append(Checksum.crc32(bytes), to: &bytes)
        return bytes
    }

    /// The valid slots in the file's bytes.
    static func slots(_ bytes: [UInt8]) -> [(counter: UInt64, sequence: UInt64)] {
        stride(from: 0, to: bytes.count - slotSize + 1, by: slotSize).compactMap { start in
            let slot = Array(bytes[start..<(start + slotSize)])
            guard Array(slot[0..<8]) == magic,
                LittleEndianBytes.load(UInt32.self, from: slot, at: 28) == Checksum.crc32(slot[0..<28])
            else { return nil }
            return (
                LittleEndianBytes.load(UInt64.self, from: slot, at: 8),
                LittleEndianBytes.load(UInt64.self, from: slot, at: 16)
            )
        }
    }

    /// The durable sequence REACHED records in `directory`, nil when there is none.
    static func recorded(in directory: String) -> UInt64? {
        let path = directory + "/" + fileName
        guard Posix.exists(path), let fd = try? Posix.open(path, O_RDONLY) else { return nil }
        defer { Posix.close(fd) }
        guard let bytes = try? Posix.pread(fd, count: 2 * slotSize, at: 0, path: path) else { return nil }
        return slots(bytes).max { $0.counter < $1.counter }?.sequence
    }
}
