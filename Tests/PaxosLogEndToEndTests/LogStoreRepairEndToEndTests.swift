import Foundation
import PaxosTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A follower whose log store (`DATA/log`, the chosen values) is damaged in the middle, below its
/// last checkpoint: it starts anyway, cuts the store at the damage (keeping the damaged file), and
/// fetches what it cut from its peers, ending with the same log as they have.
@Suite(.serialized) struct LogStoreRepairEndToEndTests {
    /// Damage in the store's open segment is found when the node starts.
    @Test func damageInTheOpenSegmentIsCutAtStartAndFetchedFromThePeers() async throws {
        try await withCluster { cluster in
            let follower = try await aFollower(of: cluster)
            // In 20 appends, so that the damaged frame, the first, is followed by good ones.
            let first = (1...2000).map { "before the damage \($0)" }
            for part in 0..<20 {
                try await append(Array(first[(part * 100)..<(part * 100 + 100)]), to: cluster)
            }
            try #require(try await cluster.localLog(of: follower, count: first.count).count == first.count)
            try await terminate(follower, in: cluster)  // a clean stop: its checkpoint covers all 2,000
            let segments = try storeSegments(of: follower, in: cluster)
            try #require(segments.count == 1, "\(segments)")
            try flipBits(in: segments[0], at: 200, mask: 0x40)
            let second = (1...500).map { "while it was down \($0)" }
            try await append(second, to: cluster)

            try cluster.restart(follower)
            let local = try await cluster.localLog(of: follower, count: 2500, within: 120)
            let whole = local.map(Self.entry) == first + second
            #expect(whole, "the node holds \(local.count) lines, not the 2,500 appended in order")
            let log = try nodeLog(follower, in: cluster)
            #expect(log.contains("the log store is damaged"), "\(log.suffix(1500))")
            #expect(log.contains("votes for nobody until it has them"), "\(log.suffix(1500))")
            try await expectRepairRecorded(for: follower, in: cluster)
        }
    }

    /// Damage in a sealed segment (taken on trust at start) is found by the read that meets it:
    /// the node marks its store and stops; started again, it repairs the store.
    @Test func damageInASealedSegmentStopsTheNodeAtTheReadAndItsRestartRepairs() async throws {
        try await withCluster(options: ["--segment-mib", "1"]) { cluster in
            let follower = try await aFollower(of: cluster)
            // Random text, so that compression leaves more than one 1 MiB segment.
            let lines = (1...40_000).map { "\($0) \(UUID().uuidString) \(UUID().uuidString) \(UUID().uuidString)" }
            try await append(lines, to: cluster)
            try #require(try await cluster.localLog(of: follower, count: lines.count).count == lines.count)
            try await terminate(follower, in: cluster)
            let segments = try storeSegments(of: follower, in: cluster)
            try #require(segments.count >= 2, "\(segments)")
            try #require(FileManager.default.fileExists(atPath: segments[0] + ".sealed"))
            try flipBits(in: segments[0], at: 512 << 10, mask: 0x40)

            try cluster.restart(follower)
            // Started from its seals, it serves until a read reaches the damage.
            var stopped = false
            let deadline = Date().addingTimeInterval(120)
            while !stopped && Date() < deadline {
                _ = try await cluster.run(["tail", "--cluster", cluster.dir, "--node", "\(follower)", "--timeout", "5"])
                stopped = FileManager.default.fileExists(atPath: cluster.dir + "/node-\(follower)/log/DAMAGED")
                if !stopped { try await Task.sleep(for: .milliseconds(200)) }
            }
            try #require(stopped, "the read did not find the damage\n\(LocalCluster.logs(cluster.dir))")
            let pid = try #require(cluster.pid(of: follower))
            let exitDeadline = Date().addingTimeInterval(60)
            while Glibc.kill(pid, 0) == 0 && Date() < exitDeadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(Glibc.kill(pid, 0) != 0, "the node stopped when it found the damage")
            #expect(try nodeLog(follower, in: cluster).contains("start the node again to repair it"))

            try cluster.restart(follower)
            let local = try await cluster.localLog(of: follower, count: lines.count, within: 180)
            let whole = local.map(Self.entry) == lines
            #expect(whole, "the node holds \(local.count) lines, not the \(lines.count) appended in order")
            #expect(!FileManager.default.fileExists(atPath: cluster.dir + "/node-\(follower)/log/DAMAGED"))
            try await expectRepairRecorded(for: follower, in: cluster)
        }
    }

    private static func entry(_ line: String) -> String {
        line.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? ""
    }

    private func aFollower(of cluster: LocalCluster) async throws -> UInt32 {
        let leader = try await cluster.leader()
        return try #require(try cluster.description.nodes.map(\.id).first { $0 != leader })
    }

    private func append(_ lines: [String], to cluster: LocalCluster) async throws {
        let appended = try await cluster.run(
            ["append", "--cluster", cluster.dir, "--timeout", "300"],
            stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        try #require(appended.status == 0, "\(appended.stderr)\n\(LocalCluster.logs(cluster.dir))")
        try #require(appended.stdoutLines.count == lines.count)
    }

    /// SIGTERM, and waits until the process is gone (it writes a checkpoint on the way out).
    private func terminate(_ node: UInt32, in cluster: LocalCluster) async throws {
        let pid = try #require(cluster.pid(of: node))
        _ = Glibc.kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(60)
        while Glibc.kill(pid, 0) == 0 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(Glibc.kill(pid, 0) != 0, "node \(node) did not stop on SIGTERM")
    }

    private func storeSegments(of node: UInt32, in cluster: LocalCluster) throws -> [String] {
        let store = cluster.dir + "/node-\(node)/log"
        return try FileManager.default.contentsOfDirectory(atPath: store).filter { $0.hasSuffix(".seg") }.sorted()
            .map { store + "/" + $0 }
    }

    private func nodeLog(_ node: UInt32, in cluster: LocalCluster) throws -> String {
        try String(contentsOfFile: cluster.dir + "/node-\(node).log", encoding: .utf8)
    }

    /// The damaged file is kept beside the store, and `inspect` of the store says what was cut.
    private func expectRepairRecorded(for node: UInt32, in cluster: LocalCluster) async throws {
        let store = cluster.dir + "/node-\(node)/log"
        let kept = try FileManager.default.contentsOfDirectory(atPath: store)
        #expect(kept.contains { $0.hasSuffix(".broken") }, "\(kept)")
        let inspect = try await cluster.run(["inspect", store])
        #expect(inspect.stdout.contains("repairs: 1 (REPAIRS)"), "\(inspect.stdout)")
    }
}
