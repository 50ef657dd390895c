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

    /// The leader is frozen (silent, not dead) while `append --timeout 30` streams lines that keep
    /// coming: appends resume on the leader the others elect, long before the timeout, and every
    /// line is acknowledged once and is in the log once, in order. The time from the stop to the
    /// first acknowledgement of a line written after it is printed; no bound on it is asserted
    /// but the client's timeout (a slow machine must not fail this test).
    @Test func appendsResumeWhenTheLeaderGoesSilentMidStream() async throws {
        try await withCluster { cluster in
            let leader = try await cluster.leader()
            let leaderPid = try #require(cluster.pid(of: leader))
            // About 5,000 lines a second until 2,000 more than were written at the stop.
            let streaming = try TimedAppend.start(
                ["append", "--cluster", cluster.dir, "--timeout", "30"], batch: 100, pause: .milliseconds(20))
            for _ in 0..<3000 where streaming.printedCount < 500 {
                try await Task.sleep(for: .milliseconds(10))
            }
            let stoppedAt = ContinuousClock.now
            kill(leaderPid, SIGSTOP)
            defer { kill(leaderPid, SIGCONT) }
            streaming.finish(after: 2000)
            let result = try await streaming.result()
            let lines = result.lines
            #expect(result.status == 0, "\(result.stderr)\n\(LocalCluster.logs(cluster.dir))")
            #expect(result.printed.count == lines.count, "every line acknowledged")
            let firstAfter = try #require(
                result.written.firstIndex { $0 > stoppedAt }, "lines were still being written at the stop")
            let acknowledged = try #require(result.printed.indices.contains(firstAfter) ? firstAfter : nil)
            let resumedAfter = result.printed[acknowledged].at - stoppedAt
            print(
                "leader node \(leader) stopped: first acknowledgement of a line written after it \(resumedAfter) later")
            #expect(resumedAfter < .seconds(30), "appends resumed before the client's timeout")
            let indexes = result.printed.compactMap { UInt64($0.line) }
            #expect(Set(indexes).count == lines.count, "no index acknowledged twice")

            kill(leaderPid, SIGCONT)
            let read = try await cluster.run(["tail", "--cluster", cluster.dir, "--timeout", "30"])
            #expect(read.status == 0, "\(read.stderr)")
            var log: [UInt64: String] = [:]
            for line in read.stdoutLines {
                let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
                if parts.count == 2, let index = UInt64(parts[0]) { log[index] = parts[1] }
            }
            #expect(log.keys.sorted().map { log[$0] ?? "" } == lines, "every line in the log once, in order")
            let mismatched = zip(indexes, lines).first { log[$0.0] != $0.1 }
            #expect(
                mismatched == nil, "the index printed for each line holds that line: \(String(describing: mismatched))")
        }
    }

    /// `tail --follow` reading from the leader when it goes silent moves to another node and
    /// goes on printing what the new leader commits.
    @Test func tailFollowMovesOffASilentNode() async throws {
        try await withCluster { cluster in
            let leader = try await cluster.leader()
            let leaderPid = try #require(cluster.pid(of: leader))
            let first = try await cluster.run(["append", "--cluster", cluster.dir, "--timeout", "30", "a", "b"])
            #expect(first.stdoutLines == ["1", "2"], "\(first.stderr)")
            let follow = try BackgroundCommand.start(["tail", "--cluster", cluster.dir, "--follow"])
            defer { follow.stop() }
            #expect(try await follow.waitForLines(2, within: 30))

            kill(leaderPid, SIGSTOP)
            defer { kill(leaderPid, SIGCONT) }
            let stoppedAt = ContinuousClock.now
            let next = try await cluster.run(["append", "--cluster", cluster.dir, "--timeout", "30", "c"])
            #expect(next.stdoutLines == ["3"], "\(next.stderr)")
            #expect(try await follow.waitForLines(3, within: 30), "tail --follow printed the entry of the new leader")
            print(
                "leader node \(leader) stopped: tail --follow printed the next entry \(ContinuousClock.now - stoppedAt) later"
            )
            #expect(follow.lines.values == ["1\ta", "2\tb", "3\tc"])
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
