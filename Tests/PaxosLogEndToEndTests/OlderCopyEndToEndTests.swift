import Foundation
import PaxosLogClient
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A follower's data directory restored from an older copy (a backup, a VM snapshot) looks
/// healthy to the node itself; the leader it had acknowledged more notices and tells it, and it
/// rebuilds before it votes again.
@Suite struct OlderCopyEndToEndTests {
    @Test func aFollowerRestoredFromAnOlderCopyIsToldByTheLeaderAndRebuilds() async throws {
        try await withCluster { cluster in
            let leader = try await cluster.leader()
            let follower = try #require(try cluster.description.nodes.map(\.id).first { $0 != leader })
            let data = cluster.dir + "/node-\(follower)"
            let copy = cluster.dir + "/node-\(follower).copy"
            // The copy: taken while the node is stopped, as a backup tool would.
            try await cluster.kill9(follower)
            try FileManager.default.copyItem(atPath: data, toPath: copy)
            try cluster.restart(follower)
            // It must take part in the appends (acknowledge them), not learn them afterwards.
            let client = PaxosLogClient(cluster: try cluster.description)
            var following = false
            for _ in 0..<100 where !following {
                following = (try? await client.status(of: follower))?.leader == leader
                if !following { try await Task.sleep(for: .milliseconds(100)) }
            }
            try #require(following, "\(LocalCluster.logs(cluster.dir))")
            // With the third node down, every append needs the follower's acknowledgement.
            let other = try #require(try cluster.description.nodes.map(\.id).first { $0 != leader && $0 != follower })
            try await cluster.kill9(other)
            let lines = (1...500).map { "entry \($0)" }
            let appended = try await cluster.run(
                ["append", "--cluster", cluster.dir, "--timeout", "60"],
                stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
            try #require(appended.status == 0, "\(appended.stderr)")
            // Wait until the follower holds every entry, so it surely acknowledged some of them.
            _ = try await cluster.localLog(of: follower, count: lines.count, within: 30)
            try await cluster.kill9(follower)
            try FileManager.default.removeItem(atPath: data)
            try FileManager.default.moveItem(atPath: copy, toPath: data)
            try cluster.restart(follower)

            // The leader's warning comes first; the follower's own line follows when the message
            // reaches it.
            let followerLogPath = cluster.dir + "/node-\(follower).log"
            let deadline = ContinuousClock.now + .seconds(60)
            var told = false
            while !told, ContinuousClock.now < deadline {
                told =
                    (try? String(contentsOfFile: followerLogPath, encoding: .utf8))?
                    .contains("It will not vote until it has rebuilt its log") ?? false
                if !told { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(told, "\(LocalCluster.logs(cluster.dir))")
            let leaderLog = try String(contentsOfFile: cluster.dir + "/node-\(leader).log", encoding: .utf8)
            #expect(leaderLog.contains("node \(follower) acknowledged slots through"), "\(leaderLog.suffix(1500))")
            // Its recovery ballot needs a majority of the others: the third node comes back.
            try cluster.restart(other)
            // It rebuilds (catch-up, then its recovery ballot) and votes again, with the whole log.
            var rebuilt = false
            while !rebuilt, ContinuousClock.now < deadline + .seconds(30) {
                rebuilt =
                    (try? String(contentsOfFile: cluster.dir + "/node-\(follower).log", encoding: .utf8))?
                    .contains("recovery complete") ?? false
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(rebuilt, "\(LocalCluster.logs(cluster.dir))")
            let local = try await cluster.localLog(of: follower, count: lines.count, within: 30)
            let entries = local.map { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? "" }
            #expect(Array(entries.prefix(lines.count)) == lines)
        }
    }
}
