import Foundation
import PaxosTestSupport
import Testing

@testable import PaxosJournal

#if canImport(Glibc)
    import Glibc
#endif

/// A full disk shows up as a clear `.noSpace` when a segment is created, never mid-batch, and the
/// journal stays readable. Needs root to mount a 2 MiB tmpfs; skipped otherwise.
@Suite struct DiskFullTests {
    static let isRoot = getuid() == 0

    /// Runs `/bin/mount` or `/bin/umount`; returns the exit status.
    static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test(.enabled(if: isRoot, "skipped: not root, so no small tmpfs can be mounted to fill"))
    func diskFullIsReportedAtSegmentCreation() async throws {
        let mountPoint = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: mountPoint) }
        guard try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint]) == 0 else {
            print("DiskFullTests: skipped, mount -t tmpfs failed (no CAP_SYS_ADMIN in this container?)")
            return
        }
        defer { _ = try? Self.run("/bin/umount", [mountPoint]) }
        let dir = mountPoint + "/journal"
        let journal = try Journal.open(
            directory: dir, options: JournalOptions(codec: .none, segmentSize: 768 << 10))
        var acknowledged: [[UInt8]] = []
        var failure: JournalError?
        for index in 0..<100 {
            let record = JournalTestSupport.noise(60 << 10, seed: UInt64(index))
            do throws(JournalError) {
                _ = try await journal.append(record)
                acknowledged.append(record)
            } catch {
                failure = error
                break
            }
        }
        let error = try #require(failure)
        #expect(error.code == .noSpace)
        #expect(error.errno == ENOSPC)
        #expect(error.description.contains("disk full"))
        #expect(acknowledged.count > 10)
        // Not final: the journal stays readable, and a later append fails the same clear way.
        #expect(try JournalTestSupport.readAll(journal).map(\.bytes) == acknowledged)
        do throws(JournalError) {
            _ = try await journal.append(JournalTestSupport.noise(60 << 10, seed: 999))
            Issue.record("append on a full disk succeeded")
        } catch {
            #expect(error.code == .noSpace)
        }
        journal.close()
        #expect(try Posix.listDirectory(dir).allSatisfy { !$0.hasSuffix(".tmp") })

        let reopened = try Journal.open(directory: dir, options: JournalOptions(codec: .none, segmentSize: 64 << 10))
        #expect(try JournalTestSupport.readAll(reopened).map(\.bytes) == acknowledged)
        #expect(try await reopened.append([1, 2, 3]) == UInt64(acknowledged.count + 1))
        reopened.close()
    }
}
