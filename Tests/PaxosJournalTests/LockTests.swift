import Foundation
import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// Only one writer: a second open, in this process or another, fails naming the holder's pid.
@Suite struct LockTests {
    @Test func secondOpenInTheSameProcessIsLocked() throws {
        try withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir)
            do throws(JournalError) {
                let second = try Journal.open(directory: dir)
                second.close()
                Issue.record("second open succeeded")
            } catch {
                #expect(error.code == .locked)
                #expect(error.description.contains("locked by pid \(getpid())"))
            }
            #expect(throws: JournalError.self) { try Journal.repair(directory: dir) }
            journal.close()
            // Closing released it.
            let again = try Journal.open(directory: dir)
            again.close()
        }
    }

    @Test func openWhileAnotherProcessHoldsItNamesThatPid() throws {
        let binary = try PaxosBinary.path()
        try withTemporaryDirectory { dir in
            let child = try CrashTestProcess(binary: binary, directory: dir, run: 1)
            defer { child.kill() }
            _ = child.waitForOutput()
            do throws(JournalError) {
                let journal = try Journal.open(directory: dir)
                journal.close()
                Issue.record("open succeeded while another process holds the lock")
            } catch {
                #expect(error.code == .locked)
                #expect(error.description.contains("locked by pid \(child.pid)"))
            }
            child.kill()
            // The kernel dropped the dead process's lock.
            let journal = try Journal.open(directory: dir)
            journal.close()
        }
    }

    @Test func closeFromACompletionDoesNotDeadlockAndReleasesTheLock() async throws {
        try await withTemporaryDirectory { dir in
            let journal = try Journal.open(directory: dir)
            await withCheckedContinuation { continuation in
                journal.append([1]) { _ in
                    journal.close()
                    continuation.resume()
                }
            }
            // The writer releases the lock as it exits, just after the completion returned.
            var reopened: Journal?
            for _ in 0..<200 where reopened == nil {
                reopened = try? Journal.open(directory: dir)
                if reopened == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            let again = try #require(reopened)
            #expect(try again.readRecord(at: 1) == [1])
            again.close()
        }
    }
}
