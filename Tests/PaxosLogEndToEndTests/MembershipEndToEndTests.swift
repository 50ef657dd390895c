import Foundation
import PaxosTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Membership changes with real processes: `cluster add` a learner, start it with `--join`, let
/// it catch up, `promote` it, then `remove` the leader (which hands over first).
@Suite struct MembershipEndToEndTests {
    static func members(_ json: String) -> [(id: Int, voter: Bool)] {
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return ((object?["members"] as? [[String: Any]]) ?? []).map {
            (($0["id"] as? Int) ?? 0, ($0["voter"] as? Bool) ?? false)
        }
    }

    static func entries(_ lines: [String]) -> [String] {
        lines.map { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? "" }
    }

    /// Starts `paxoslog node --config cluster.json --id K --join` as an operator would.
    static func startJoining(_ node: UInt32, in dir: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try PaxosBinary.path())
        process.arguments = [
            "node", "--config", dir + "/cluster.json", "--id", "\(node)", "--join", "--pid-file",
            dir + "/node-\(node).pid",
        ]
        _ = FileManager.default.createFile(atPath: dir + "/node-\(node).log", contents: nil)
        let log = FileHandle(forWritingAtPath: dir + "/node-\(node).log") ?? FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// `cluster replace NODE --address (NEW's socket)`, starting node NEW with `--join` as an
    /// operator would once the command has added it; the command's result.
    static func replace(_ node: UInt32, by new: UInt32, in cluster: LocalCluster) async throws -> PaxosBinary.Result {
        let dir = cluster.dir
        async let replacing = cluster.run([
            "cluster", "replace", "--cluster", dir, "\(node)", "--address", "unix:\(dir)/node-\(new).sock", "--data",
            "\(dir)/node-\(new)", "--timeout", "120", "--json",
        ])
        let deadline = ContinuousClock.now + .seconds(60)
        while (try? cluster.description.nodes.contains { $0.id == new }) != true, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        try startJoining(new, in: dir)
        return try await replacing
    }

    @Test func aLearnerJoinsCatchesUpIsPromotedAndTheLeaderIsRemoved() async throws {
        try await withCluster { cluster in
            let dir = cluster.dir
            let before = (1...200).map { "before \($0)" }
            let appended = try await cluster.run(
                ["append", "--cluster", dir, "--timeout", "300"],
                stdin: Data((before.joined(separator: "\n") + "\n").utf8))
            try #require(appended.status == 0, "\(appended.stderr)")

            let add = try await cluster.run([
                "cluster", "add", "--cluster", dir, "--id", "4", "--address", "unix:\(dir)/node-4.sock", "--data",
                "\(dir)/node-4", "--json",
            ])
            try #require(add.status == 0, "\(add.stderr)\n\(LocalCluster.logs(dir))")
            #expect(Self.members(add.stdout).map(\.id) == [1, 2, 3, 4])
            #expect(Self.members(add.stdout).first { $0.id == 4 }?.voter == false)
            let recorded = try cluster.description.nodes.first { $0.id == 4 }
            #expect(recorded?.isVoter == false, "cluster.json knows it")
            // Not running yet: promoting it is refused, with the reason.
            let early = try await cluster.run(["cluster", "promote", "--cluster", dir, "4"])
            #expect(early.status == 1)
            #expect(early.stderr.contains("not answering"), "\(early.stderr)")

            try Self.startJoining(4, in: dir)
            let caughtUp = try await cluster.localLog(of: 4, count: before.count)
            #expect(Self.entries(caughtUp) == before, "\(LocalCluster.logs(dir))")

            // Promoted once it answers (a loaded machine may need a few tries).
            var promote = try await cluster.run(["cluster", "promote", "--cluster", dir, "4", "--json"])
            let deadline = ContinuousClock.now + .seconds(60)
            while promote.status != 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(500))
                promote = try await cluster.run(["cluster", "promote", "--cluster", dir, "4", "--json"])
            }
            try #require(promote.status == 0, "\(promote.stderr)\n\(LocalCluster.logs(dir))")
            #expect(Self.members(promote.stdout).allSatisfy { $0.voter })

            // Removing the leader: it hands over first, then leaves.
            let leader = try await cluster.leader()
            let leaderPid = try #require(cluster.pid(of: leader))
            let remove = try await cluster.run(["cluster", "remove", "--cluster", dir, "\(leader)", "--json"])
            try #require(remove.status == 0, "\(remove.stderr)\n\(LocalCluster.logs(dir))")
            #expect(!Self.members(remove.stdout).map(\.id).contains(Int(leader)))
            #expect(remove.stderr.contains("node \(leader) is no longer a member"), "\(remove.stderr)")
            // The removed node stops by itself once it has applied its removal.
            let exitDeadline = ContinuousClock.now + .seconds(60)
            while Glibc.kill(leaderPid, 0) == 0, ContinuousClock.now < exitDeadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(Glibc.kill(leaderPid, 0) != 0, "the removed node still runs")
            let removedLog = try String(contentsOfFile: dir + "/node-\(leader).log", encoding: .utf8)
            #expect(removedLog.contains("and caught up (slot"), "\(removedLog.suffix(1500))")
            _ = Glibc.kill(leaderPid, SIGKILL)

            // The three voters left (node 4 among them) go on.
            let after = (1...100).map { "after \($0)" }
            let more = try await cluster.run(
                ["append", "--cluster", dir, "--timeout", "300"],
                stdin: Data((after.joined(separator: "\n") + "\n").utf8))
            #expect(more.status == 0, "\(more.stderr)\n\(LocalCluster.logs(dir))")
            for node in try cluster.description.nodes.map(\.id) {
                let local = try await cluster.localLog(of: node, count: before.count + after.count)
                #expect(Self.entries(local) == before + after, "node \(node)")
            }
        }
    }

    @Test func replaceAddsWaitsForTheNewMemberPromotesItAndRemovesTheOld() async throws {
        try await withCluster { cluster in
            let dir = cluster.dir
            let before = (1...100).map { "before \($0)" }
            let appended = try await cluster.run(
                ["append", "--cluster", dir, "--timeout", "300"],
                stdin: Data((before.joined(separator: "\n") + "\n").utf8))
            try #require(appended.status == 0, "\(appended.stderr)")
            let replacedPid = try #require(cluster.pid(of: 3))
            let replaced = try await Self.replace(3, by: 4, in: cluster)
            try #require(replaced.status == 0, "\(replaced.stderr)\n\(LocalCluster.logs(dir))")
            #expect(
                replaced.stderr.contains("start it: paxoslog node --config FILE --id 4 --join"), "\(replaced.stderr)")
            let members = Self.members(replaced.stdout)
            #expect(members.map(\.id) == [1, 2, 4])
            #expect(members.allSatisfy { $0.voter })
            _ = Glibc.kill(replacedPid, SIGKILL)
            let after = (1...50).map { "after \($0)" }
            let more = try await cluster.run(
                ["append", "--cluster", dir, "--timeout", "300"],
                stdin: Data((after.joined(separator: "\n") + "\n").utf8))
            #expect(more.status == 0, "\(more.stderr)\n\(LocalCluster.logs(dir))")
            let local = try await cluster.localLog(of: 4, count: before.count + after.count)
            #expect(Self.entries(local) == before + after)
        }
    }
}
