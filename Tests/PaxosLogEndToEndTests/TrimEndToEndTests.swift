import Foundation
import PaxosLogClient
import PaxosProtocol
import Testing

/// `paxoslog trim` on real processes: the first index moves on every node through the log,
/// reads below it fail with the first index named, the disk is freed, and restarts keep it all.
@Suite(.serialized) struct TrimEndToEndTests {
    /// Polls `cluster status --json` until every node reports `first_index == first`.
    static func waitForFirstIndex(_ first: UInt64, in cluster: LocalCluster) async throws -> [[String: Any]] {
        try await waitForStatus(in: cluster, "first index \(first)") { number($0, "first_index") == first }
    }

    static func entries(_ lines: [String]) -> [String] {
        lines.map { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? "" }
    }

    @Test func aTrimMovesTheFirstIndexEverywhereFreesTheDiskAndSurvivesRestarts() async throws {
        try await withCluster(options: ["--segment-mib", "1", "--checkpoint-interval", "0.5"]) { cluster in
            let lines = CheckpointEndToEndTests.incompressibleLines(80_000)
            // The timeout guards against a hang; a two-core machine running other suites beside
            // this one can take minutes.
            let appended = try await cluster.run(
                ["append", "--cluster", cluster.dir, "--timeout", "300"],
                stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
            try #require(appended.status == 0, "\(appended.stderr)")
            let nodes = try cluster.description.nodes.map(\.id)
            let logBytesBefore = try nodes.map {
                try CheckpointEndToEndTests.segments(in: cluster.dir + "/node-\($0)/log")
            }

            let trim = try await cluster.run(["trim", "--cluster", cluster.dir, "--before", "60001"])
            #expect(trim.status == 0, "\(trim.stderr)")
            #expect(trim.stdoutLines == ["60001"])
            _ = try await Self.waitForFirstIndex(60_001, in: cluster)

            // Below the first index: exit 1, naming it. Without --from: from the first index.
            let below = try await cluster.run(["tail", "--cluster", cluster.dir, "--from", "5"])
            #expect(below.status == 1)
            #expect(below.stdout.isEmpty)
            #expect(below.stderr.contains("first index is 60001"), "\(below.stderr)")
            let all = try await cluster.run(["tail", "--cluster", cluster.dir])
            #expect(all.status == 0, "\(all.stderr)")
            #expect(all.stdoutLines.first?.hasPrefix("60001\t") == true)
            #expect(Self.entries(all.stdoutLines) == Array(lines[60_000...]))

            // Through the client library: a read without a start begins at the first index, and
            // an error of the caller's own ends the read as it is (not retried as a node failure).
            struct Enough: Error {}
            let client = PaxosLogClient(cluster: try cluster.description)
            var firstSeen: UInt64?
            await #expect(throws: Enough.self) {
                try await client.tail(from: nil, follow: false) { batch in
                    firstSeen = batch.first?.index
                    throw Enough()
                }
            }
            #expect(firstSeen == 60_001)

            // Every node deletes the whole segments below the first index at its next checkpoint.
            for (position, node) in nodes.enumerated() {
                var segments: [String] = []
                for _ in 0..<100 {
                    segments = try CheckpointEndToEndTests.segments(in: cluster.dir + "/node-\(node)/log")
                    if segments.first != "00000000000000000001.seg" { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(segments.first != "00000000000000000001.seg", "node \(node) kept its first log segment")
                #expect(segments.count < logBytesBefore[position].count, "node \(node): \(segments)")
            }

            // New entries take the next indexes; a trim past the end keeps them coming.
            let more = try await cluster.run(
                ["append", "--cluster", cluster.dir, "after-1", "after-2"])
            #expect(more.stdoutLines == ["80001", "80002"])

            // A follower killed and restarted keeps its first index and serves from it.
            let leader = try await cluster.leader()
            let follower = try #require(nodes.first { $0 != leader })
            try await cluster.kill9(follower)
            try cluster.restart(follower)
            let local = try await cluster.localLog(of: follower, count: 20_002)
            #expect(Self.entries(local) == Array(lines[60_000...]) + ["after-1", "after-2"])
            let random = Int.random(in: 60_001...80_000)
            let read = try await cluster.run([
                "tail", "--cluster", cluster.dir, "--node", "\(follower)", "--from", "\(random)",
            ])
            #expect(read.stdoutLines.first == "\(random)\t\(lines[random - 1])")
            let refused = try await cluster.run([
                "tail", "--cluster", cluster.dir, "--node", "\(follower)", "--from", "60000",
            ])
            #expect(refused.status == 1 && refused.stderr.contains("first index is 60001"), "\(refused.stderr)")

            // A trim past the end trims every entry: the log reads empty, the next index stays.
            let everything = try await cluster.run(["trim", "--cluster", cluster.dir, "--before", "1000000"])
            #expect(everything.stdoutLines == ["80003"])
            let empty = try await cluster.run(["tail", "--cluster", cluster.dir])
            #expect(empty.status == 0 && empty.stdout.isEmpty, "\(empty.stdout.prefix(200)) \(empty.stderr)")
        }
    }

    /// Waits until node `node` has deleted its first log segment.
    static func waitForDeletedFirstSegment(of node: UInt32, in cluster: LocalCluster) async throws {
        for _ in 0..<150 {
            let segments = try CheckpointEndToEndTests.segments(in: cluster.dir + "/node-\(node)/log")
            if segments.first != "00000000000000000001.seg" { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ClientError("node \(node) never deleted its first log segment\n\(LocalCluster.logs(cluster.dir))")
    }

    @Test func aNodeStoppedBeforeATrimCatchesUpFromTheFirstIndexTheOthersHold() async throws {
        try await withCluster(options: ["--segment-mib", "1", "--checkpoint-interval", "0.5"]) { cluster in
            let nodes = try cluster.description.nodes.map(\.id)
            let early = (1...1_000).map { "early-\($0)" }
            let first = try await cluster.run(
                ["append", "--cluster", cluster.dir], stdin: Data((early.joined(separator: "\n") + "\n").utf8))
            try #require(first.status == 0, "\(first.stderr)")
            let leader = try await cluster.leader()
            let away = try #require(nodes.first { $0 != leader })
            try await cluster.kill9(away)

            let lines = CheckpointEndToEndTests.incompressibleLines(80_000)
            // The timeout guards against a hang; a two-core machine running other suites beside
            // this one can take minutes.
            let appended = try await cluster.run(
                ["append", "--cluster", cluster.dir, "--timeout", "300"],
                stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
            try #require(appended.status == 0, "\(appended.stderr)")
            let trim = try await cluster.run(["trim", "--cluster", cluster.dir, "--before", "61001"])
            #expect(trim.stdoutLines == ["61001"], "\(trim.stderr)")
            for node in nodes where node != away {
                try await Self.waitForDeletedFirstSegment(of: node, in: cluster)
            }

            // Back after the others deleted what it lacks: it continues from a base they kept,
            // then catches up, and its log starts at the first index like theirs.
            try cluster.restart(away)
            let all = early + lines
            let local = try await cluster.localLog(of: away, count: 20_000)
            let entries = Self.entries(local)
            #expect(
                entries.count == 20_000 && entries == Array(all[61_000...]),
                "node \(away) holds \(entries.count) entries from \(local.first?.prefix(20) ?? "-")")
            _ = try await Self.waitForFirstIndex(61_001, in: cluster)
            let log = try String(contentsOfFile: cluster.dir + "/node-\(away).log", encoding: .utf8)
            #expect(log.contains("its log now continues from slot"), "\(log.suffix(1500))")

            // And it keeps that state through a restart of its own.
            try await cluster.kill9(away)
            try cluster.restart(away)
            let again = try await cluster.localLog(of: away, count: 20_000)
            #expect(Self.entries(again) == Array(all[61_000...]))
        }
    }

    /// SIGKILL at any point of checkpoints that delete trimmed segments and keep bases, while
    /// entries stream in and trims move the first index: every restart finds a consistent store
    /// (segments whole or gone, the checkpoint's slot present), and at the end every node holds
    /// the same log from the same first index.
    @Test func killsDuringTrimsLoseNothing() async throws {
        try await withCluster(options: ["--segment-mib", "1", "--checkpoint-interval", "0.1"]) { cluster in
            let lines = CheckpointEndToEndTests.incompressibleLines(60_000)
            var firstIndex: UInt64 = 1
            let result = try await cluster.streamWhileKilling(lines) { round in
                let trim = try await cluster.run([
                    "trim", "--cluster", cluster.dir, "--before", "\(round * 7_000)", "--timeout", "300",
                ])
                try #require(trim.status == 0, "\(trim.stderr)")
                firstIndex = max(firstIndex, UInt64(trim.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0)
            }
            _ = try await Self.waitForFirstIndex(firstIndex, in: cluster)
            let problem = try await cluster.acknowledgedLogProblem(
                lines: lines, acknowledged: result.stdoutLines, from: firstIndex)
            #expect(problem == nil, "\(problem ?? "")")
        }
    }

    /// Polls `cluster status --json` until `done` holds for every node's row.
    static func waitForStatus(
        in cluster: LocalCluster, _ what: String, _ done: ([String: Any]) -> Bool
    ) async throws -> [[String: Any]] {
        var rows: [[String: Any]] = []
        for _ in 0..<200 {
            let status = try await cluster.run(["cluster", "status", "--dir", cluster.dir, "--json"])
            rows = status.stdoutLines.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            if !rows.isEmpty && rows.allSatisfy(done) { return rows }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ClientError("not every node reached \(what): \(rows)\n\(LocalCluster.logs(cluster.dir))")
    }

    static func number(_ row: [String: Any], _ key: String) -> UInt64 { (row[key] as? NSNumber)?.uint64Value ?? 0 }

    @Test(arguments: [["--retain-entries", "5000"], ["--retain-bytes", "3MiB"]])
    func theLeaderAppliesTheRetentionPolicy(policy: [String]) async throws {
        try await withCluster(options: ["--segment-mib", "1", "--checkpoint-interval", "0.5"] + policy) { cluster in
            let lines = CheckpointEndToEndTests.incompressibleLines(60_000)
            let appended = try await cluster.run(
                ["append", "--cluster", cluster.dir, "--timeout", "300"],
                stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
            try #require(appended.status == 0, "\(appended.stderr)")
            let rows = try await Self.waitForStatus(in: cluster, "a trimmed log") { row in
                let first = Self.number(row, "first_index")
                let held = Self.number(row, "commit_index") - first + 1
                // Entries: a tenth (at least 1,024) past the bound before a trim. Bytes: the
                // entries of 3 MiB of segments are about 45,000 here; some segments more kept.
                return first > 1 && Self.number(row, "commit_index") == 60_000
                    && (policy[0] == "--retain-entries" ? held <= 6_024 : held <= 45_000)
            }
            let first = Self.number(rows[0], "first_index")
            #expect(rows.allSatisfy { Self.number($0, "first_index") == first })
            let all = try await cluster.run(["tail", "--cluster", cluster.dir])
            #expect(Self.entries(all.stdoutLines) == Array(lines[Int(first - 1)...]))
        }
    }
}
