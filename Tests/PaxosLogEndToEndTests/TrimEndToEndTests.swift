import Foundation
import PaxosLogClient
import PaxosProtocol
import Testing

/// `paxoslog trim` on real processes: the first index moves on every node through the log,
/// reads below it fail with the first index named, the disk is freed, and restarts keep it all.
@Suite(.serialized) struct TrimEndToEndTests {
    /// Polls `cluster status --json` until every node reports `first_index == first`.
    static func waitForFirstIndex(_ first: UInt64, in cluster: LocalCluster) async throws -> [[String: Any]] {
        var rows: [[String: Any]] = []
        for _ in 0..<150 {
            let status = try await cluster.run(["cluster", "status", "--dir", cluster.dir, "--json"])
            rows = status.stdoutLines.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            if !rows.isEmpty && rows.allSatisfy({ ($0["first_index"] as? NSNumber)?.uint64Value == first }) {
                return rows
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ClientError("not every node reached first index \(first): \(rows)\n\(LocalCluster.logs(cluster.dir))")
    }

    static func entries(_ lines: [String]) -> [String] {
        lines.map { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? "" }
    }

    @Test func aTrimMovesTheFirstIndexEverywhereFreesTheDiskAndSurvivesRestarts() async throws {
        try await withCluster(options: ["--segment-mib", "1", "--checkpoint-interval", "0.5"]) { cluster in
            let lines = CheckpointEndToEndTests.incompressibleLines(80_000)
            let appended = try await cluster.run(
                ["append", "--cluster", cluster.dir, "--timeout", "60"],
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
}
