import Foundation
import PaxosTestSupport
import Synchronization
import Testing

@testable import PaxosJournal

#if canImport(Glibc)
    import Glibc
#endif

/// The writer drops the pages it has written and synced from the page cache (unless told to keep
/// them): only whole pages, only after the fdatasync that covers them, never the page the next
/// frame may still write into — and the records read back the same either way.
@Suite struct PageCacheTests {
    /// One system call the writer made, in order.
    enum Event: Equatable {
        case write(fd: Int32, offset: Int64, count: Int)
        case sync(fd: Int32)
        case drop(fd: Int32, offset: Int64, length: Int64)
    }

    /// The events, appended from the writer thread and read by the test.
    final class EventLog: Sendable {
        private let events = Mutex<[Event]>([])
        func append(_ event: Event) { events.withLock { $0.append(event) } }
        var all: [Event] { events.withLock { $0 } }
    }

    /// The real system calls, each recorded in `log` first.
    static func recording(_ log: EventLog) -> JournalSyscalls {
        var syscalls = JournalSyscalls.system
        syscalls.pwrite = { fd, bytes, offset in
            log.append(.write(fd: fd, offset: offset, count: bytes.count))
            return JournalSyscalls.system.pwrite(fd, bytes, offset)
        }
        syscalls.fdatasync = { fd in
            log.append(.sync(fd: fd))
            return JournalSyscalls.system.fdatasync(fd)
        }
        syscalls.dropCachedPages = { fd, offset, length in
            log.append(.drop(fd: fd, offset: offset, length: length))
            JournalSyscalls.system.dropCachedPages(fd, offset, length)
        }
        return syscalls
    }

    /// Appends records of seeded sizes (0 to 9 KiB, so frames end anywhere in a page and some
    /// span several) one at a time through 256 KiB segments; returns what was appended.
    static func appendSeeded(_ journal: Journal, count: Int) async throws -> [[UInt8]] {
        var generator = SeededGenerator(seed: 7)
        var appended: [[UInt8]] = []
        for index in 0..<count {
            let record = JournalTestSupport.noise(Int(generator.next() % 9_000), seed: UInt64(index))
            _ = try await journal.append(record)
            appended.append(record)
        }
        return appended
    }

    @Test func onlyWholeWrittenAndSyncedPagesAreDroppedInOrder() async throws {
        try await withTemporaryDirectory { dir in
            let log = EventLog()
            var options = JournalTestSupport.smallOptions(codec: .none, segmentSize: 256 << 10)
            options.syscalls = Self.recording(log)
            let journal = try Journal.open(directory: dir, options: options)
            let appended = try await Self.appendSeeded(journal, count: 300)
            journal.close()

            let page = JournalWriter.pageSize
            let events = log.all
            var writtenEnd: [Int32: Int64] = [:]  // per open segment (fds are reused)
            var droppedEnd: [Int32: Int64] = [:]
            var drops = 0
            for (position, event) in events.enumerated() {
                switch event {
                case .write(let fd, let offset, let count):
                    if offset == 0 {  // a new segment's header: the fd now names another file
                        writtenEnd[fd] = 0
                        droppedEnd[fd] = 0
                    }
                    writtenEnd[fd] = max(writtenEnd[fd] ?? 0, offset + Int64(count))
                case .sync:
                    break
                case .drop(let fd, let offset, let length):
                    drops += 1
                    #expect(offset % page == 0 && length % page == 0 && length > 0, "\(event)")
                    #expect(position > 0 && events[position - 1] == .sync(fd: fd), "a drop follows its sync")
                    #expect(offset == droppedEnd[fd] ?? 0, "drops are contiguous: \(event)")
                    #expect(
                        offset + length <= (writtenEnd[fd] ?? 0) / page * page,
                        "never the page still being filled: \(event), written to \(writtenEnd[fd] ?? 0)")
                    droppedEnd[fd] = offset + length
                }
            }
            #expect(drops > 20, "300 records of up to 9 KiB complete many pages")
            // After the last sync of each segment, everything but its last partial page is dropped.
            for (fd, end) in writtenEnd where end >= page {
                #expect(droppedEnd[fd] == end / page * page, "fd \(fd): dropped to \(droppedEnd[fd] ?? 0) of \(end)")
            }

            let reopened = try Journal.open(directory: dir)
            defer { reopened.close() }
            #expect(try JournalTestSupport.readAll(reopened).map(\.bytes) == appended)
        }
    }

    @Test func keepingPagesCachedDropsNothing() async throws {
        try await withTemporaryDirectory { dir in
            let log = EventLog()
            var options = JournalTestSupport.smallOptions(codec: .none, segmentSize: 256 << 10)
            options.keepsWrittenPagesCached = true
            options.syscalls = Self.recording(log)
            let journal = try Journal.open(directory: dir, options: options)
            let appended = try await Self.appendSeeded(journal, count: 100)
            #expect(try JournalTestSupport.readAll(journal).map(\.bytes) == appended)
            journal.close()
            #expect(!log.all.contains { if case .drop = $0 { true } else { false } })
        }
    }

    /// The kernel really lets the pages go: after 2 MiB of appends, almost none of the segment is
    /// resident by default, and nearly all of it when asked to keep it (mincore). Skipped where
    /// the advice is a no-op (tmpfs keeps files only in memory).
    @Test func droppedPagesLeaveThePageCache() async throws {
        try await withTemporaryDirectory { dir in
            guard try Self.fileSystemDropsPages(in: dir) else {
                print("droppedPagesLeaveThePageCache: skipped, this file system keeps pages (tmpfs?)")
                return
            }
            var resident: [Bool: Double] = [:]
            for keep in [false, true] {
                let journalDir = dir + "/keep-\(keep)"
                var options = JournalOptions(codec: .none)
                options.keepsWrittenPagesCached = keep
                let journal = try Journal.open(directory: journalDir, options: options)
                for index in 0..<64 {
                    _ = try await journal.append(JournalTestSupport.noise(32 << 10, seed: UInt64(index)))
                }
                let segment = try #require(try JournalTestSupport.segments(journalDir).first)
                resident[keep] = try Self.residentFraction(of: segment, bytes: 2 << 20)
                journal.close()
            }
            #expect(try #require(resident[false]) < 0.05, "\(resident)")
            #expect(try #require(resident[true]) > 0.9, "\(resident)")
        }
    }

    /// Whether synced pages of a plain file in `dir` leave the cache when dropped.
    static func fileSystemDropsPages(in dir: String) throws -> Bool {
        let path = dir + "/probe"
        try Data(count: 1 << 20).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDWR)
        guard fd >= 0 else { throw JournalError(.io, "cannot open \(path)") }
        fsync(fd)
        JournalSyscalls.system.dropCachedPages(fd, 0, 1 << 20)
        close(fd)
        return try residentFraction(of: path, bytes: 1 << 20) < 0.5
    }

    /// The fraction of the first `bytes` of `path` that is in the page cache.
    static func residentFraction(of path: String, bytes: Int) throws -> Double {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw JournalError(.io, "cannot open \(path)") }
        defer { close(fd) }
        guard let mapping = mmap(nil, bytes, PROT_READ, MAP_SHARED, fd, 0), mapping != MAP_FAILED else {
            throw JournalError(.io, "cannot map \(path)")
        }
        defer { munmap(mapping, bytes) }
        let pages = (bytes + Int(JournalWriter.pageSize) - 1) / Int(JournalWriter.pageSize)
        var vector = [UInt8](repeating: 0, count: pages)
        guard mincore(mapping, bytes, &vector) == 0 else { throw JournalError(.io, "mincore failed on \(path)") }
        return Double(vector.filter { $0 & 1 == 1 }.count) / Double(pages)
    }
}
