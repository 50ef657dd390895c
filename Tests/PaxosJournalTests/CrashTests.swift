import Foundation
import PaxosTestSupport
import Testing

@testable import PaxosJournal

/// Real processes killed with SIGKILL at random moments: every append they reported durable is
/// there with exactly its bytes, and nothing else is (every record present is one they wrote, in order).
@Suite struct CrashTests {
    /// Rounds to run; `PAXOSLOG_SOAK_ROUNDS` raises it for a soak run.
    static let rounds = ProcessInfo.processInfo.environment["PAXOSLOG_SOAK_ROUNDS"].flatMap(Int.init) ?? 50

    /// A new journal every this many rounds keeps verification time flat; within a journal, each
    /// round recovers what the previous crash left.
    static let roundsPerJournal = 10

    @Test func sigkillAtRandomMomentsLosesNothingAcknowledged() async throws {
        let binary = try PaxosBinary.path()
        let rounds = Self.rounds
        let (failures, acknowledgedTotal) = try await PaxosBinary.onDedicatedThread {
            () throws -> ([String], Int) in
            var generator = SeededGenerator(seed: 0xC0FFEE)
            var failures: [String] = []
            var acknowledgedTotal = 0
            var tornTails = 0
            var dir = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var acknowledged: [UInt64: [UInt8]] = [:]
            for round in 0..<rounds {
                if round > 0 && round % Self.roundsPerJournal == 0 {
                    try? FileManager.default.removeItem(atPath: dir)
                    dir = try makeTemporaryDirectory()
                    acknowledged.removeAll()
                }
                let codec = ["lz4", "none", "zlib"][round % 3]
                let run = UInt32(round + 1)
                let child = try CrashTestProcess(
                    binary: binary, directory: dir, run: run, codec: codec, segmentSize: 16 << 10)
                var output = child.waitForOutput()
                usleep(UInt32.random(in: 5_000...100_000, using: &generator))
                child.kill()
                let rest = child.remainingOutput()
                output += rest.stdout
                if output.isEmpty {
                    failures.append(
                        "round \(round): child printed nothing: \(String(decoding: rest.stderr, as: UTF8.self))")
                    continue
                }
                // Only complete lines: the kill may cut the last one.
                for line in String(decoding: output, as: UTF8.self).split(
                    separator: "\n", omittingEmptySubsequences: false
                )
                .dropLast() {
                    let fields = line.split(separator: " ").compactMap { UInt64($0) }
                    guard fields.count == 4 else {
                        failures.append("round \(round): bad output line '\(line)'")
                        continue
                    }
                    acknowledged[fields[0]] = CrashRecords.record(
                        run: UInt32(fields[1]), appender: UInt32(fields[2]), counter: fields[3])
                    acknowledgedTotal += 1
                }
                if (try? JournalScanner.scan(directory: dir))?.tornTail != nil { tornTails += 1 }
                failures += Self.verify(dir: dir, acknowledged: acknowledged, round: round)
                if failures.count > 20 { break }
            }
            print(
                "CrashTests: \(rounds) rounds, \(acknowledgedTotal) acknowledged appends, \(tornTails) torn tails cut")
            return (failures, acknowledgedTotal)
        }
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
        #expect(acknowledgedTotal >= rounds, "every round acknowledges at least one append before the kill")
    }

    /// Reopens the journal and checks it against what the children acknowledged.
    static func verify(dir: String, acknowledged: [UInt64: [UInt8]], round: Int) -> [String] {
        var failures: [String] = []
        do {
            let journal = try Journal.open(directory: dir)
            defer { journal.close() }
            let records = try JournalTestSupport.readAll(journal)
            if records.map(\.sequence) != (0..<records.count).map({ UInt64($0 + 1) }) {
                failures.append("round \(round): sequence numbers are not 1...\(records.count)")
            }
            for (sequence, bytes) in acknowledged where (try? journal.readRecord(at: sequence)) != bytes {
                failures.append("round \(round): acknowledged record \(sequence) is missing or different")
            }
            // Every record present is one a child wrote, and each appender's records are in order.
            var nextCounter: [UInt64: UInt64] = [:]
            for record in records {
                guard let id = CrashRecords.identity(of: record.bytes),
                    record.bytes == CrashRecords.record(run: id.run, appender: id.appender, counter: id.counter)
                else {
                    failures.append("round \(round): record \(record.sequence) was never written by any appender")
                    continue
                }
                let key = UInt64(id.run) << 32 | UInt64(id.appender)
                if id.counter != nextCounter[key, default: 0] {
                    failures.append(
                        "round \(round): record \(record.sequence) is counter \(id.counter) of run \(id.run) appender "
                            + "\(id.appender), expected \(nextCounter[key, default: 0])")
                }
                nextCounter[key] = id.counter + 1
            }
        } catch {
            failures.append("round \(round): reopen failed: \(error)")
        }
        return failures
    }
}
