import Foundation
import PaxosTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Operating membership under load with real processes: the cluster grows from 3 to 5 voters and
/// shrinks back to 3 (two of the first members leave) while clients append, and a dead node whose
/// data directory is gone is replaced. Nothing acknowledged is lost or moved.
@Suite struct MembershipGrowthEndToEndTests {
    /// Appends `batches` batches of 200 lines, one `append` each, one after another; returns every
    /// line with the index it was acknowledged at.
    private func appendInBatches(_ cluster: LocalCluster, batches: Int) async throws -> [(line: String, index: Int)] {
        var acknowledged: [(line: String, index: Int)] = []
        for batch in 0..<batches {
            let lines = (1...200).map { "batch \(batch) line \($0)" }
            let appended = try await cluster.run(
                ["append", "--cluster", cluster.dir, "--timeout", "300"],
                stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
            try #require(appended.status == 0, "\(appended.stderr)\n\(LocalCluster.logs(cluster.dir))")
            try #require(appended.stdoutLines.count == lines.count)
            acknowledged += zip(lines, appended.stdoutLines.compactMap(Int.init)).map { ($0, $1) }
        }
        return acknowledged
    }

    /// Runs a membership command until it succeeds (a change is refused while another is under
    /// way, or while a new member has not answered yet), at most a minute.
    private func change(_ arguments: [String], in cluster: LocalCluster) async throws -> [(id: Int, voter: Bool)] {
        let deadline = ContinuousClock.now + .seconds(60)
        var result = try await cluster.run(["cluster"] + arguments + ["--cluster", cluster.dir, "--json"])
        while result.status != 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(300))
            result = try await cluster.run(["cluster"] + arguments + ["--cluster", cluster.dir, "--json"])
        }
        try #require(result.status == 0, "\(arguments): \(result.stderr)\n\(LocalCluster.logs(cluster.dir))")
        return MembershipEndToEndTests.members(result.stdout)
    }

    /// Every acknowledged line at its index in every member's log, and nothing else there.
    private func expectEveryMemberHolds(_ acknowledged: [(line: String, index: Int)], in cluster: LocalCluster)
        async throws
    {
        for node in try cluster.description.nodes.map(\.id) {
            let local = MembershipEndToEndTests.entries(
                try await cluster.localLog(of: node, count: acknowledged.count, within: 120))
            #expect(local.count == acknowledged.count, "node \(node) holds \(local.count) entries")
            let misplaced = acknowledged.first {
                $0.index < 1 || $0.index > local.count || local[$0.index - 1] != $0.line
            }
            #expect(misplaced == nil, "node \(node): \(misplaced.map { "\($0.line) not at \($0.index)" } ?? "")")
        }
    }

    @Test func theClusterGrowsToFiveAndShrinksToThreeWhileClientsAppend() async throws {
        try await withCluster { cluster in
            let dir = cluster.dir
            async let appended = appendInBatches(cluster, batches: 40)
            for node in [4, 5] as [UInt32] {
                let added = try await change(
                    [
                        "add", "--id", "\(node)", "--address", "unix:\(dir)/node-\(node).sock", "--data",
                        "\(dir)/node-\(node)",
                    ],
                    in: cluster)
                #expect(added.contains { $0.id == Int(node) && !$0.voter })
                try MembershipEndToEndTests.startJoining(node, in: dir)
                let promoted = try await change(["promote", "\(node)"], in: cluster)
                #expect(promoted.contains { $0.id == Int(node) && $0.voter })
            }
            #expect(try cluster.description.nodes.filter(\.isVoter).count == 5)
            // Two of the first members leave (the leader hands over first if it is one of them).
            for node in [1, 2] as [UInt32] {
                let pid = cluster.pid(of: node)
                let remaining = try await change(["remove", "\(node)"], in: cluster)
                #expect(!remaining.contains { $0.id == Int(node) })
                if let pid { _ = Glibc.kill(pid, SIGKILL) }
            }
            let members = try cluster.description.nodes.map(\.id)
            #expect(members.sorted() == [3, 4, 5])
            let acknowledged = try await appended
            try await expectEveryMemberHolds(acknowledged, in: cluster)
        }
    }

    @Test func aDeadNodeWhoseDataIsGoneIsReplaced() async throws {
        try await withCluster { cluster in
            let dir = cluster.dir
            let before = try await appendInBatches(cluster, batches: 2)
            // Node 3's machine dies for good: its process and its disk are gone.
            try await cluster.kill9(3)
            try FileManager.default.removeItem(atPath: dir + "/node-3")
            let replaced = try await MembershipEndToEndTests.replace(3, by: 4, in: cluster)
            try #require(replaced.status == 0, "\(replaced.stderr)\n\(LocalCluster.logs(dir))")
            let members = MembershipEndToEndTests.members(replaced.stdout)
            #expect(members.map(\.id) == [1, 2, 4])
            #expect(members.allSatisfy { $0.voter })
            // The new member votes: with another of the first members down, the leader and it are
            // the majority that acknowledges.
            let leader = try await cluster.leader()
            let down = try #require(([1, 2] as [UInt32]).first { $0 != leader })
            try await cluster.kill9(down)
            let after = try await appendInBatches(cluster, batches: 2)
            try cluster.restart(down)
            try await expectEveryMemberHolds(before + after, in: cluster)
        }
    }
}
