import Foundation
import PaxosLogClient
import PaxosTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Three nodes, each a host of its own (a network namespace on a bridge), over TCP with mutual
/// TLS from one cluster file, and a client in a fourth namespace streaming appends with
/// `--timeout 30` while iptables cuts the leader off, heals it, and splits every node from the
/// others. Nothing acknowledged may be lost, duplicated or reordered, and appends must resume
/// after each fault before the client's timeout; the times are printed (no tighter bound is
/// asserted: a slow machine must not fail the test). Skipped, saying why, when not root.
@Suite(.serialized) struct NetworkPartitionEndToEndTests {
    /// The lab's teardown removes every namespace it made (and with them the veths, the bridge
    /// and the rules), however far its set-up got.
    @Test func theLabLeavesNoNamespaceBehind() throws {
        if let reason = NetworkLab.unavailableReason() {
            print("NetworkPartitionEndToEndTests skipped: \(reason)")
            return
        }
        let lab = try NetworkLab.create(hosts: ["a": 1, "b": 2])
        try lab.isolate("a")
        let names = ["a", "b", "sw"].map(lab.namespace)
        #expect(
            Set(
                try lab.shell([lab.ip, "netns", "list"]).split(separator: "\n").compactMap {
                    $0.split(separator: " ").first.map(String.init)
                }
            ).isSuperset(of: names))
        lab.destroy()
        let left = try lab.shell([lab.ip, "netns", "list"])
        #expect(names.allSatisfy { !left.contains($0) }, "\(left)")
    }

    @Test func partitionsAcrossNamespacesLoseNothingAndAppendsResume() async throws {
        if let reason = NetworkLab.unavailableReason() {
            print("NetworkPartitionEndToEndTests skipped: \(reason)")
            return
        }
        let lab = try NetworkLab.create(hosts: ["n1": 1, "n2": 2, "n3": 3, "c": 100])
        defer { lab.destroy() }
        try await withTemporaryDirectory { dir in
            let binary = try PaxosBinary.path()
            let tls = dir + "/tls"
            let made = try await PaxosBinary.run([
                "certs", "create", "--out", tls, "--node", "1", "--node", "2", "--node", "3", "--client", "ops",
            ])
            try #require(made.status == 0, "\(made.stderr)")
            let file = dir + "/cluster.json"
            let initialized = try await PaxosBinary.run(
                ["cluster", "init", "--out", file, "--tls-dir", tls]
                    + (1...3).flatMap { ["--node", "\($0)=tcp:\(lab.address("n\($0)")):7000"] })
            try #require(initialized.status == 0, "\(initialized.stderr)")

            var nodes: [Process] = []
            defer {
                for process in nodes where process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
            }
            for id in 1...3 {
                let command = lab.inside(
                    "n\(id)",
                    [binary, "node", "--config", file, "--id", "\(id)", "--data", dir + "/data-\(id)", "--new-cluster"])
                let process = Process()
                process.executableURL = URL(fileURLWithPath: command[0])
                process.arguments = Array(command.dropFirst())
                _ = FileManager.default.createFile(atPath: dir + "/node-\(id).log", contents: nil)
                let log = FileHandle(forWritingAtPath: dir + "/node-\(id).log") ?? FileHandle.nullDevice
                process.standardOutput = log
                process.standardError = log
                try process.run()
                nodes.append(process)
            }
            let client = { (arguments: [String]) in
                try await PaxosBinary.run(Array(lab.inside("c", [binary] + arguments).dropFirst()), binary: lab.ip)
            }
            func status() async throws -> [[String: Any]] {
                try await client(["cluster", "status", "--cluster", file, "--json"]).stdoutLines.compactMap {
                    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                }
            }
            /// The node every answering node names as leader, once one says it leads.
            func leader(within seconds: Double = 30, excluding: Set<Int> = []) async throws -> Int {
                let deadline = ContinuousClock.now + .seconds(seconds)
                while ContinuousClock.now < deadline {
                    let rows = try await status().filter { !excluding.contains($0["id"] as? Int ?? 0) }
                    if let leader = rows.first(where: { $0["role"] as? String == "leader" })?["id"] as? Int,
                        rows.allSatisfy({ $0["leader"] as? Int == leader })
                    {
                        return leader
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
                throw ClientError("no leader within \(seconds) s\n\(LocalCluster.logs(dir))")
            }
            func resumed(_ streaming: TimedAppend, after instant: ContinuousClock.Instant) async throws -> Duration {
                let deadline = instant + .seconds(30)
                while ContinuousClock.now < deadline {
                    if let at = streaming.firstAcknowledgement(ofLineWrittenAfter: instant) { return at - instant }
                    try await Task.sleep(for: .milliseconds(20))
                }
                throw ClientError("appends did not resume within the client's 30 s timeout\n\(LocalCluster.logs(dir))")
            }

            let first = try await leader()
            let streaming = try TimedAppend.start(
                ["append", "--cluster", file, "--timeout", "30"], launcher: Array(lab.inside("c", [])),
                batch: 50, pause: .milliseconds(20))
            for _ in 0..<3000 where streaming.printedCount < 500 {
                try await Task.sleep(for: .milliseconds(10))
            }

            // 1. The leader is cut off from everyone, clients included.
            // Timed from when the last rule is in place: lines written while the rules went in may
            // still have committed through the old leader.
            try lab.isolate("n\(first)")
            let cut = ContinuousClock.now
            let afterCut = try await resumed(streaming, after: cut)
            let second = try await leader(excluding: [first])
            try await Task.sleep(for: .seconds(2))

            // 2. Healed: the old leader must come back as a follower holding everything committed
            //    while it was away.
            let committed = try await status().compactMap { $0["commit_index"] as? Int }.max() ?? 0
            let healed = ContinuousClock.now
            try lab.heal("n\(first)")
            var rejoined: Duration?
            while rejoined == nil && ContinuousClock.now - healed < .seconds(60) {
                let row = try await status().first { $0["id"] as? Int == first }
                if row?["role"] as? String == "follower", (row?["commit_index"] as? Int ?? 0) >= committed {
                    rejoined = ContinuousClock.now - healed
                }
            }
            #expect(rejoined != nil, "node \(first) never rejoined as a follower\n\(LocalCluster.logs(dir))")

            // 3. The majority split: no node reaches another (the client still reaches all) for 3 s.
            let peers = ["n1", "n2", "n3"]
            for host in peers { try lab.cut(host, from: peers.filter { $0 != host }) }
            try await Task.sleep(for: .seconds(3))
            let rejoinedAt = ContinuousClock.now
            for host in peers { try lab.heal(host) }
            let afterSplit = try await resumed(streaming, after: rejoinedAt)

            streaming.finish(after: 500)
            let result = try await streaming.result()
            print(
                "network partitions: leader node \(first) cut off, appends resumed after \(afterCut) (new leader node \(second)); "
                    + "healed, a follower with the full commit index after \(rejoined.map { "\($0)" } ?? "never"); "
                    + "majority split for 3 s, appends resumed \(afterSplit) after the heal")
            #expect(result.status == 0, "\(result.stderr)\n\(LocalCluster.logs(dir))")
            #expect(result.printed.count == result.lines.count, "every line acknowledged")
            let indexes = result.printed.compactMap { UInt64($0.line) }
            #expect(Set(indexes).count == indexes.count, "no index acknowledged twice")
            #expect(zip(indexes, indexes.dropFirst()).allSatisfy { $0 < $1 }, "indexes in input order")

            let read = try await client(["tail", "--cluster", file, "--timeout", "30"])
            #expect(read.status == 0, "\(read.stderr)")
            var log: [UInt64: String] = [:]
            for line in read.stdoutLines {
                let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
                if parts.count == 2, let index = UInt64(parts[0]) { log[index] = parts[1] }
            }
            #expect(log.keys.sorted().map { log[$0] ?? "" } == result.lines, "every line in the log once, in order")
            #expect(zip(indexes, result.lines).allSatisfy { log[$0.0] == $0.1 }, "each line at its acknowledged index")
        }
    }
}
