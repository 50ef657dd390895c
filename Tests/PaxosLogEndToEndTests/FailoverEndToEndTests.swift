import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A client does not wait out its timeout on a node that stopped answering.
@Suite struct FailoverEndToEndTests {
    /// The leader is frozen (SIGSTOP: its sockets accept but nothing answers) in the middle of a
    /// streaming append and stays frozen: the client must notice the silence, find the leader the
    /// others elect, and finish every entry well within its timeout.
    @Test func aStreamingAppendMovesOffAFrozenLeader() async throws {
        try await withCluster { cluster in
            let leader = try await cluster.leader()
            let leaderPid = try #require(cluster.pid(of: leader))
            let lines = (1...20_000).map { "entry \($0)" }
            async let streaming = cluster.run(
                ["append", "--cluster", cluster.dir, "--timeout", "60"],
                stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
            try await Task.sleep(for: .milliseconds(300))
            kill(leaderPid, SIGSTOP)
            defer { kill(leaderPid, SIGCONT) }
            let result = try await streaming
            #expect(result.status == 0, "\(result.stderr)\n\(LocalCluster.logs(cluster.dir))")
            #expect(result.stdoutLines.count == lines.count)
            kill(leaderPid, SIGCONT)
            let read = try await cluster.run(["tail", "--cluster", cluster.dir, "--timeout", "30"])
            let entries = read.stdoutLines.map { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? "" }
            #expect(entries == lines, "every entry exactly once, in order")
        }
    }

    /// The first node in cluster.json is frozen before the client starts: connecting to it does
    /// not complete, and the client goes on to the others.
    @Test func anAppendSkipsAFrozenNodeWhenConnecting() async throws {
        try await withCluster { cluster in
            _ = try await cluster.leader()
            let first = try #require(try cluster.description.nodes.first)
            let pid = try #require(cluster.pid(of: first.id))
            kill(pid, SIGSTOP)
            defer { kill(pid, SIGCONT) }
            // Others must still have a leader (node 1 may have led): wait for one without node 1.
            _ = try await cluster.leader(within: 30, excluding: [first.id])
            let result = try await cluster.run(["append", "--cluster", cluster.dir, "--timeout", "30", "past node 1"])
            #expect(result.status == 0, "\(result.stderr)")
        }
    }
}
