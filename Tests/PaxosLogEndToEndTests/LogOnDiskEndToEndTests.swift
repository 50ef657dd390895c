import Foundation
import PaxosLogClient
import PaxosProtocol
import PaxosTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The committed log lives on disk: a node's memory does not grow with the log, and entries are
/// read back from disk, after a restart too.
@Suite(.serialized) struct LogOnDiskEndToEndTests {
    /// The resident memory of a process, from /proc/PID/status.
    static func residentKiB(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1])
        else {
            throw ClientError("no VmRSS in /proc/\(pid)/status")
        }
        return kib
    }

    static func entry(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: 100 - digits.count) + digits
    }

    /// Reads entries `from...` (at most `count`) of node `node` through the client library.
    static func read(_ client: PaxosLogClient, node: UInt32, from: UInt64, count: UInt32) async throws -> [String] {
        let result = try await client.read(
            ReadRequest(requestID: from, mode: .local, fromIndex: from, maxEntries: count), at: node)
        guard case .ok = result.status else { throw ClientError("read from \(from) at node \(node): \(result.status)") }
        return result.entries.map { String(decoding: $0, as: UTF8.self) }
    }

    /// 1,000,000 entries of 100 bytes: the code that kept the whole log in memory held about 200
    /// bytes per entry (more than 200 MiB per node here); with the log on disk a node holds its
    /// latest slots, the de-duplication window and buffers, whatever the log's length. Then a
    /// restart, random reads, a trim and another restart.
    @Test func memoryStaysBoundedAndEntriesAreReadFromDiskAfterARestart() async throws {
        try await withCluster { cluster in
            let count = 1_000_000
            var input = Data(capacity: count * 101)
            for number in 1...count { input.append(contentsOf: (Self.entry(number) + "\n").utf8) }
            // Generous bounds: this test is about memory, and `make test` runs it beside every other
            // suite on two cores (a run here took more than 120 s).
            let appended = try await PaxosBinary.run(
                ["append", "--cluster", cluster.dir, "--timeout", "600"], stdin: input, timeout: 660)
            try #require(appended.status == 0, "\(appended.stderr)\n\(LocalCluster.logs(cluster.dir))")
            try #require(appended.stdoutLines.last == "\(count)")

            // Nodes hand freed memory back every 5 s; wait for one round.
            try await Task.sleep(for: .seconds(6))
            let bound = 112 * 1024  // KiB
            for node in try cluster.description.nodes {
                let pid = try #require(cluster.pid(of: node.id))
                let resident = try Self.residentKiB(of: pid)
                #expect(resident < bound, "node \(node.id) holds \(resident / 1024) MiB after \(count) entries")
            }

            // A follower restarts: it serves the same entries from its log store.
            let leader = try await cluster.leader()
            let follower = try #require(try cluster.description.nodes.map(\.id).first { $0 != leader })
            try await cluster.kill9(follower)
            try cluster.restart(follower)
            let client = PaxosLogClient(cluster: try cluster.description)
            var generator = SystemRandomNumberGenerator()
            var checked = 0
            let deadline = Date().addingTimeInterval(60)
            while checked < 20 && Date() < deadline {
                let start = UInt64.random(in: 1...UInt64(count - 10), using: &generator)
                guard let entries = try? await Self.read(client, node: follower, from: start, count: 10),
                    entries.count == 10
                else {
                    try await Task.sleep(for: .milliseconds(200))  // still starting
                    continue
                }
                #expect(entries == (0..<10).map { Self.entry(Int(start) + $0) }, "from \(start)")
                checked += 1
            }
            #expect(checked == 20, "the restarted node served \(checked) of 20 reads")
            let last = try await Self.read(client, node: follower, from: UInt64(count - 1), count: 10)
            #expect(last == [Self.entry(count - 1), Self.entry(count)])
            #expect(try await Self.read(client, node: follower, from: UInt64(count + 1), count: 10).isEmpty)
            let disk = try FileManager.default.contentsOfDirectory(atPath: cluster.dir + "/node-\(follower)/log")
            #expect(disk.contains { $0.hasSuffix(".seg") }, "the log store has segments: \(disk)")

            // Trimmed to a random point, a node restarted after the trim serves from there on and
            // refuses what lies below.
            let first = UInt64.random(in: 2...UInt64(count - 100), using: &generator)
            let trim = try await cluster.run(["trim", "--cluster", cluster.dir, "--before", "\(first)"])
            #expect(trim.stdoutLines == ["\(first)"], "\(trim.stderr)")
            try await cluster.kill9(follower)
            try cluster.restart(follower)
            var served: [String] = []
            for _ in 0..<300 where served.count != 10 {
                served = (try? await Self.read(client, node: follower, from: first, count: 10)) ?? []
                if served.count != 10 { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(served == (0..<10).map { Self.entry(Int(first) + $0) })
            // (Once it has learned of the trim, if it was killed before it heard of it.)
            var below: ReadResult?
            for _ in 0..<300 {
                below = try? await client.read(
                    ReadRequest(requestID: 9, mode: .local, fromIndex: first - 1, maxEntries: 10), at: follower)
                if below?.status == .trimmed(firstIndex: first) { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(below?.status == .trimmed(firstIndex: first) && below?.entries.isEmpty == true)
        }
    }
}

/// Checkpoints: a restart reads the checkpoint and the journal after it, and the journal before
/// it is deleted.
@Suite(.serialized) struct CheckpointEndToEndTests {
    /// Numbered lines of 60 random letters and digits: about 70 bytes each, none compressible.
    static func incompressibleLines(_ count: Int) -> [String] {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return (1...count).map { number in
            "\(number) " + String((0..<60).map { _ in alphabet.randomElement(using: &generator) ?? "x" })
        }
    }

    static func segments(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".seg") }.sorted()
    }

    @Test func checkpointsDeleteOldJournalSegmentsAndRestartsReadThem() async throws {
        try await withCluster(options: ["--segment-mib", "1", "--checkpoint-interval", "0.5"]) { cluster in
            // Entries that do not compress: 80,000 of them fill several 1 MiB segments.
            let lines = Self.incompressibleLines(80_000)
            let appended = try await cluster.run(
                ["append", "--cluster", cluster.dir, "--timeout", "300"],
                stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
            try #require(appended.status == 0, "\(appended.stderr)")
            let leader = try await cluster.leader()
            let follower = try #require(try cluster.description.nodes.map(\.id).first { $0 != leader })
            let data = cluster.dir + "/node-\(follower)"

            // Within a few checkpoint intervals the journal keeps only its latest segments, while
            // the log store keeps them all.
            var journalSegments: [String] = []
            for _ in 0..<100 {
                journalSegments = try Self.segments(in: data + "/journal")
                if FileManager.default.fileExists(atPath: data + "/checkpoint") && journalSegments.count <= 2 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(FileManager.default.fileExists(atPath: data + "/checkpoint"))
            #expect(journalSegments.count <= 2, "\(journalSegments)")
            #expect(journalSegments.first != "00000000000000000001.seg", "the first journal segment was deleted")
            let logSegments = try Self.segments(in: data + "/log")
            #expect(logSegments.count >= 4 && logSegments.first == "00000000000000000001.seg", "\(logSegments)")

            // Killed and restarted: it starts from its checkpoint and serves the whole log.
            try await cluster.kill9(follower)
            try cluster.restart(follower)
            let local = try await cluster.localLog(of: follower, count: lines.count)
            #expect(local.map { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? "" } == lines)
            let log = try String(contentsOfFile: cluster.dir + "/node-\(follower).log", encoding: .utf8)
            #expect(log.contains("restored a checkpoint at slot"), "\(log.suffix(1500))")
            #expect(!log.contains("may have lost state"))

            // A clean stop writes a final checkpoint: the next start replays no journal record.
            let stop = try await cluster.run(["cluster", "stop", "--dir", cluster.dir])
            #expect(stop.status == 0)
            let start = try await cluster.run(["cluster", "start", "--dir", cluster.dir, "--wait", "30"])
            #expect(start.status == 0, "\(start.stderr)")
            let restarted = try String(contentsOfFile: cluster.dir + "/node-\(follower).log", encoding: .utf8)
            let lastRestore = restarted.split(separator: "\n").last { $0.contains("restored") } ?? ""
            #expect(lastRestore.contains(", 0 journal records"), "\(lastRestore)")
            #expect(lastRestore.contains("\(lines.count) entries committed"), "\(lastRestore)")
        }
    }

    /// SIGKILL lands at any point of a checkpoint: while the file is written, between it and the
    /// deletion of journal segments, in the middle of the deletions. Every restart must find a
    /// consistent state, and at the end every node holds the same log. (A SIGKILL in the middle of
    /// a large pwrite can leave a torn last batch, which makes that node rebuild as a non-voter:
    /// allowed here, and it must still end with the whole log.)
    @Test func killsDuringCheckpointsLoseNothing() async throws {
        try await withCluster(options: ["--segment-mib", "1", "--checkpoint-interval", "0.1"]) { cluster in
            let lines = Self.incompressibleLines(60_000)
            let result = try await cluster.streamWhileKilling(lines)
            let problem = try await cluster.acknowledgedLogProblem(lines: lines, acknowledged: result.stdoutLines)
            #expect(problem == nil, "\(problem ?? "")")
        }
    }
}
