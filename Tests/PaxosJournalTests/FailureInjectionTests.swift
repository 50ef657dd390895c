import PaxosTestSupport
import Synchronization
import Testing

@testable import PaxosJournal

#if canImport(Glibc)
    import Glibc
#endif

/// A failed fdatasync or a short write is final: nothing after it is acknowledged, and a reopen
/// finds every record acknowledged before it.
@Suite struct FailureInjectionTests {
    /// System calls whose fdatasync fails (after a pause, so appends pile up) once the counter says so.
    static func failingSync(_ counter: SyscallCounter) -> JournalSyscalls {
        var syscalls = JournalSyscalls.system
        syscalls.fdatasync = { fd in
            if counter.shouldFail() {
                usleep(50_000)
                return .failure(.eio)
            }
            return JournalSyscalls.system.fdatasync(fd)
        }
        return syscalls
    }

    @Test func fsyncFailureFailsPendingAndLaterAppends() async throws {
        try await withTemporaryDirectory { dir in
            let counter = SyscallCounter()
            var options = JournalTestSupport.smallOptions()
            options.syscalls = Self.failingSync(counter)
            let journal = try Journal.open(directory: dir, options: options)
            let acknowledged = try await JournalTestSupport.fill(journal, records: 10)
            counter.failFromNow()

            let outcomes = await withTaskGroup(of: JournalError?.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        do throws(JournalError) {
                            _ = try await journal.append(JournalTestSupport.record(UInt64(100 + index)))
                            return nil
                        } catch {
                            return error
                        }
                    }
                }
                var outcomes: [JournalError?] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            #expect(outcomes.allSatisfy { $0?.code == .fsyncFailed })
            #expect(outcomes.first??.errno == EIO)
            #expect(journal.durableSequence == 10)
            do throws(JournalError) {
                _ = try await journal.append([1])
                Issue.record("append after a failed fsync succeeded")
            } catch {
                #expect(error.code == .fsyncFailed)
                #expect(error.description.contains("fdatasync failed"))
            }
            journal.close()

            let reopened = try Journal.open(directory: dir, options: JournalTestSupport.smallOptions())
            defer { reopened.close() }
            let records = try JournalTestSupport.readAll(reopened)
            #expect(Array(records.prefix(10).map(\.bytes)) == acknowledged)
            #expect(records.count >= 10)
            #expect(try await reopened.append([5]) == UInt64(records.count + 1))
        }
    }

    @Test func shortWriteIsFinal() async throws {
        try await withTemporaryDirectory { dir in
            let armed = Mutex(false)
            var options = JournalTestSupport.smallOptions()
            options.syscalls.pwrite = { fd, bytes, offset in
                let short = armed.withLock { $0 }
                let count = short ? bytes.count / 2 : bytes.count
                return JournalSyscalls.system.pwrite(fd, UnsafeRawBufferPointer(rebasing: bytes[0..<count]), offset)
            }
            let journal = try Journal.open(directory: dir, options: options)
            let acknowledged = try await JournalTestSupport.fill(journal, records: 5)
            armed.withLock { $0 = true }
            await #expect(throws: JournalError.self) {
                try await journal.append(JournalTestSupport.record(50, size: 300))
            }
            armed.withLock { $0 = false }
            do throws(JournalError) {
                _ = try await journal.append([1])
                Issue.record("append after a short write succeeded")
            } catch {
                #expect(error.description.contains("short write"))
            }
            journal.close()
            // The half-written frame is a torn tail: cut at reopen.
            let reopened = try Journal.open(directory: dir)
            defer { reopened.close() }
            #expect(try JournalTestSupport.readAll(reopened).map(\.bytes) == acknowledged)
        }
    }
}
