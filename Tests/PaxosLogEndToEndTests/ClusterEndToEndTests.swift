import Foundation
import PaxosLogClient
import PaxosProtocol
import PaxosTestSupport
import PaxosTransport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Real `paxoslog` processes on Unix sockets: the CLI contract, leader failure, restart, catch-up.
/// Serialized: each test runs a whole cluster, and the machine has two cores.
@Suite(.serialized) struct ClusterEndToEndTests {
    @Test func startAppendTailStatusStop() async throws {
        try await withCluster { cluster in
            let description = try cluster.description
            #expect(description.nodes.count == 3)
            for node in description.nodes {
                #expect(cluster.pid(of: node.id) != nil, "node \(node.id) wrote its pid file")
                #expect(node.argv?.contains("--listen") == true)
            }
            let appended = try await cluster.run(["append", "--cluster", cluster.dir, "first", "second entry", "third"])
            #expect(appended.status == 0, "\(appended.stderr)")
            #expect(appended.stdoutLines == ["1", "2", "3"])

            let tail = try await cluster.run(["tail", "--cluster", cluster.dir])
            #expect(tail.stdoutLines == ["1\tfirst", "2\tsecond entry", "3\tthird"])
            let json = try await cluster.run(["tail", "--cluster", cluster.dir, "--from", "2", "--format", "json"])
            #expect(json.stdoutLines == [#"{"index":2,"data":"c2Vjb25kIGVudHJ5"}"#, #"{"index":3,"data":"dGhpcmQ="}"#])

            let status = try await cluster.run(["cluster", "status", "--dir", cluster.dir, "--json"])
            #expect(status.status == 0)
            let rows = status.stdoutLines.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(rows.count == 3)
            #expect(rows.filter { $0["role"] as? String == "leader" }.count == 1)
            #expect(
                rows.allSatisfy {
                    $0["alive"] as? Bool == true && $0["commit_index"] as? Int == 3 || $0["role"] as? String != "leader"
                })

            // Entries are bytes, also as arguments: bytes that are not UTF-8 are stored as given
            // (the shell builds the argument; Process only passes Strings).
            let binary = try PaxosBinary.path()
            let raw = try await PaxosBinary.run(
                ["-c", #""$0" append --cluster "$1" "$(printf '\377\376A\001')" plain"#, binary, cluster.dir],
                binary: "/bin/sh")
            #expect(raw.stdoutLines == ["4", "5"], "\(raw.stderr)")
            let rawTail = try await cluster.run(["tail", "--cluster", cluster.dir, "--from", "4", "--format", "json"])
            #expect(
                rawTail.stdoutLines == [
                    #"{"index":4,"data":"\#(Data([0xFF, 0xFE, 0x41, 0x01]).base64EncodedString())"}"#,
                    #"{"index":5,"data":"\#(Data("plain".utf8).base64EncodedString())"}"#,
                ])

            let stop = try await cluster.run(["cluster", "stop", "--dir", cluster.dir])
            #expect(stop.status == 0)
            for node in description.nodes {
                #expect(cluster.pid(of: node.id) == nil, "node \(node.id) removed its pid file on a clean exit")
            }
        }
    }

    @Test func streamingAppendFromStandardInputPrintsIndexesInOrder() async throws {
        try await withCluster { cluster in
            let lines = (1...5000).map { "line \($0)" }
            let input = Data((lines.joined(separator: "\n") + "\n").utf8)
            let appended = try await cluster.run(["append", "--cluster", cluster.dir], stdin: input)
            #expect(appended.status == 0, "\(appended.stderr)")
            #expect(appended.stdoutLines == (1...5000).map(String.init))
            let tail = try await cluster.run(["tail", "--cluster", cluster.dir])
            #expect(tail.stdoutLines == lines.enumerated().map { "\($0.offset + 1)\t\($0.element)" })
        }
    }

    @Test func killingTheLeaderLosesNothingAndTheNodeCatchesUpAfterRestart() async throws {
        try await withCluster { cluster in
            let first = try await cluster.run(["append", "--cluster", cluster.dir, "before-1", "before-2"])
            #expect(first.stdoutLines == ["1", "2"])
            let leader = try await cluster.leader()

            // Appends stream while the leader is killed under them.
            let lines = (1...3000).map { "during \($0)" }
            async let streaming = cluster.run(
                ["append", "--cluster", cluster.dir, "--timeout", "60"],
                stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
            try await Task.sleep(for: .milliseconds(300))
            try await cluster.kill9(leader)
            let result = try await streaming
            #expect(result.status == 0, "\(result.stderr)\n\(LocalCluster.logs(cluster.dir))")
            #expect(result.stdoutLines.count == lines.count)

            let newLeader = try await cluster.leader(excluding: [leader])
            #expect(newLeader != leader)
            let after = try await cluster.run(["append", "--cluster", cluster.dir, "after"])
            #expect(after.status == 0)

            try cluster.restart(leader)
            let expected = try await cluster.run(["tail", "--cluster", cluster.dir])
            let expectedLines = expected.stdoutLines
            #expect(expectedLines.count == 2 + lines.count + 1)
            // Every entry exactly once, in the order each client saw its indexes.
            let entries = expectedLines.map { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? "" }
            #expect(Set(entries).count == entries.count, "no entry appears twice")
            #expect(entries.filter { $0.hasPrefix("during ") } == lines)

            // The restarted node catches up: every node's own prefix is identical.
            for node in try cluster.description.nodes {
                let local = try await cluster.localLog(of: node.id, count: expectedLines.count, within: 30)
                #expect(local == expectedLines, "node \(node.id) has the whole log")
            }
        }
    }

    @Test func tailFollowKeepsStreamingAcrossANodeFailure() async throws {
        try await withCluster { cluster in
            _ = try await cluster.run(["append", "--cluster", cluster.dir, "one", "two"])
            let follower = Process()
            follower.executableURL = URL(fileURLWithPath: try PaxosBinary.path())
            follower.arguments = ["tail", "--cluster", cluster.dir, "--follow"]
            let output = Pipe()
            follower.standardOutput = output
            follower.standardError = FileHandle.nullDevice
            try follower.run()
            try await Task.sleep(for: .milliseconds(500))
            _ = try await cluster.run(["append", "--cluster", cluster.dir, "three"])
            // Every node dies and comes back in turn; the follower moves on to another one.
            for node in try cluster.description.nodes {
                try await cluster.kill9(node.id)
                try cluster.restart(node.id)
                _ = try await cluster.leader()
                _ = try await cluster.run(["append", "--cluster", cluster.dir, "after node \(node.id)"])
            }
            try await Task.sleep(for: .seconds(2))
            kill(follower.processIdentifier, SIGINT)
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            follower.waitUntilExit()
            #expect(
                text.split(separator: "\n").map(String.init) == [
                    "1\tone", "2\ttwo", "3\tthree", "4\tafter node 1", "5\tafter node 2", "6\tafter node 3",
                ])
        }
    }

    /// `tail | head -1`: once the reader is gone, tail's next write ends it (status 141, as if by
    /// SIGPIPE) instead of reading, or following, on for nobody.
    @Test func tailEndsWhenItsReaderGoesAway() async throws {
        try await withCluster { cluster in
            _ = try await cluster.run(["append", "--cluster", cluster.dir, "one", "two"])
            let pipeline = Process()
            pipeline.executableURL = URL(fileURLWithPath: "/bin/bash")
            pipeline.arguments = [
                "-c", #"timeout 30 "$0" tail --cluster "$1" --follow | head -1; echo "tail exited ${PIPESTATUS[0]}""#,
                try PaxosBinary.path(), cluster.dir,
            ]
            let output = Pipe()
            pipeline.standardOutput = output
            pipeline.standardError = FileHandle.nullDevice
            try pipeline.run()
            try await Task.sleep(for: .seconds(1))
            // head has its line and is gone; tail's next write meets the closed pipe.
            _ = try await cluster.run(["append", "--cluster", cluster.dir, "three"])
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            pipeline.waitUntilExit()
            #expect(text.split(separator: "\n").map(String.init) == ["1\tone", "tail exited 141"])
        }
    }

    @Test func clusterStartAgainRestartsOnlyTheDeadNodeAndStatusShowsIt() async throws {
        try await withCluster { cluster in
            _ = try await cluster.run(["append", "--cluster", cluster.dir, "a", "b"])
            let victim = try cluster.description.nodes[1].id
            let survivors = try cluster.description.nodes.map(\.id).filter { $0 != victim }
            let pidsBefore = survivors.map { cluster.pid(of: $0) }
            try await cluster.kill9(victim)

            let status = try await cluster.run(["cluster", "status", "--dir", cluster.dir, "--json"])
            let rows = status.stdoutLines.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(rows.first { $0["id"] as? Int == Int(victim) }?["alive"] as? Bool == false)

            let restart = try await cluster.run(["cluster", "start", "--dir", cluster.dir])
            #expect(restart.status == 0, "\(restart.stderr)")
            #expect(restart.stderr.contains("started node \(victim) "))
            #expect(survivors.map { cluster.pid(of: $0) } == pidsBefore, "running nodes were left alone")
            let local = try await cluster.run(["tail", "--cluster", cluster.dir, "--node", "\(victim)"])
            #expect(local.stdoutLines == ["1\ta", "2\tb"])
        }
    }

    /// Nodes are recognised by their pid file, not by the binary's name: a cluster started from a
    /// copied binary is seen as running by `start` and `status`, and `stop` stops it.
    @Test func aClusterStartedFromARenamedBinaryIsStillStopped() async throws {
        try await withTemporaryDirectory { dir in
            let renamed = dir + "/pxl-renamed"
            try FileManager.default.copyItem(atPath: try PaxosBinary.path(), toPath: renamed)
            let clusterDir = dir + "/cluster"
            let started = try await PaxosBinary.run(
                ["cluster", "start", "--dir", clusterDir, "--nodes", "3", "--wait", "30"], binary: renamed)
            let cluster = LocalCluster(dir: clusterDir)
            let pids = (1...3).compactMap { cluster.pid(of: UInt32($0)) }
            defer { for pid in pids { kill(pid, SIGKILL) } }
            #expect(started.status == 0, "\(started.stderr)")
            #expect(pids.count == 3)

            let again = try await cluster.run(["cluster", "start", "--dir", clusterDir])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(!again.stderr.contains("started node"), "running nodes are not started twice: \(again.stderr)")
            let status = try await cluster.run(["cluster", "status", "--dir", clusterDir, "--json"])
            let alive = status.stdoutLines.compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["alive"] as? Bool
            }
            #expect(alive == [true, true, true], "\(status.stdout)")

            let stopped = try await cluster.run(["cluster", "stop", "--dir", clusterDir])
            #expect(stopped.stdoutLines.last == "stopped 3 nodes", "\(stopped.stdout)\(stopped.stderr)")
            for pid in pids {
                #expect(kill(pid, 0) != 0 || Self.isZombie(pid), "node pid \(pid) is gone")
            }
        }
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// A second node given a running node's socket path must not take it over (which would cut the
    /// running node off from its peers and clients without a word); it exits saying why.
    @Test func aSecondNodeOnALiveSocketPathIsRefusedAndTheFirstKeepsServing() async throws {
        try await withCluster { cluster in
            let first = try cluster.description.nodes[0]
            let argv = try #require(first.argv)
            let listen = try #require(argv.firstIndex(of: "--listen").map { argv[$0 + 1] })
            let intruder = try await cluster.run([
                "node", "--id", "\(first.id)", "--dir", cluster.dir + "/intruder", "--listen", listen,
                "--secret-file", cluster.dir + "/cluster.secret",
            ])
            #expect(intruder.status != 0)
            #expect(intruder.stderr.contains("another process is listening on \(listen)"), "\(intruder.stderr)")
            #expect(FileManager.default.fileExists(atPath: String(listen.dropFirst("unix:".count))))
            let appended = try await cluster.run(["append", "--cluster", cluster.dir, "after the intruder"])
            #expect(appended.status == 0, "\(appended.stderr)")
            // The first node is still reachable on its socket and learns the commit (a follower
            // hears of it with the next message from the leader).
            var local = try await cluster.run(["tail", "--cluster", cluster.dir, "--node", "\(first.id)"])
            for _ in 0..<50 where local.stdoutLines.last?.hasSuffix("after the intruder") != true {
                try await Task.sleep(for: .milliseconds(100))
                local = try await cluster.run(["tail", "--cluster", cluster.dir, "--node", "\(first.id)"])
            }
            #expect(local.status == 0, "\(local.stderr)")
            #expect(local.stdoutLines.last?.hasSuffix("after the intruder") == true, "\(local.stdout)")
        }
    }

    /// A node that accepts connections but never answers (SIGSTOP) must not hang `cluster status`:
    /// the others are shown, the frozen one as not answering, every row with the same keys.
    @Test func statusAnswersWhileANodeIsFrozen() async throws {
        try await withCluster { cluster in
            _ = try await cluster.run(["append", "--cluster", cluster.dir, "a", "b"])
            let frozen = try #require(cluster.pid(of: 2))
            kill(frozen, SIGSTOP)
            defer { kill(frozen, SIGCONT) }
            let status = try await PaxosBinary.run(["cluster", "status", "--dir", cluster.dir, "--json"], timeout: 20)
            #expect(status.status == 0, "\(status.stderr)")
            let rows = status.stdoutLines.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(rows.count == 3)
            #expect(Set(rows.map { Set($0.keys) }).count == 1, "every row has the same keys")
            let row = try #require(rows.first { $0["id"] as? Int == 2 })
            #expect(row["role"] is NSNull && row["error"] is String, "\(row)")
            #expect(rows.filter { $0["role"] is String }.count == 2)
            #expect(rows.allSatisfy { $0["last_index"] is NSNull || ($0["last_index"] as? Int ?? -1) >= 0 })
        }
    }

    /// A node that cannot start fails `cluster start` at once with its reason (not after the
    /// whole --wait), and `cluster stop` then finds the nodes that did start, even those that
    /// had not yet written their pid files (it falls back to the pids in cluster.json).
    @Test func aNodeThatCannotStartFailsTheStartAtOnceAndStopFindsTheOthers() async throws {
        try await withTemporaryDirectory { dir in
            let clusterDir = dir + "/cluster"
            _ = try await LocalCluster.start(in: clusterDir)
            let stopped = try await PaxosBinary.run(["cluster", "stop", "--dir", clusterDir])
            #expect(stopped.stdoutLines.last == "stopped 3 nodes")
            try FileManager.default.removeItem(atPath: clusterDir + "/node-2")
            #expect(FileManager.default.createFile(atPath: clusterDir + "/node-2", contents: Data()))

            let began = ContinuousClock.now
            let start = try await PaxosBinary.run(["cluster", "start", "--dir", clusterDir, "--wait", "60"])
            #expect(start.status == 1)
            #expect(start.stderr.contains("node 2 exited during start"), "\(start.stderr)")
            #expect(start.stderr.contains("cannot create the data directory"), "\(start.stderr)")
            #expect(ContinuousClock.now - began < .seconds(30), "failed before the 60 s wait ran out")

            let description = try ClusterDescription.load(from: clusterDir)
            let started = description.nodes.filter { $0.id != 2 }.compactMap(\.pid)
            let stop = try await PaxosBinary.run(["cluster", "stop", "--dir", clusterDir])
            #expect(stop.stdoutLines.last == "stopped 2 nodes", "\(stop.stdout)\(stop.stderr)")
            for pid in started {
                #expect(kill(pid, 0) != 0 || Self.isZombie(pid), "node pid \(pid) is gone")
                kill(pid, SIGKILL)
            }
        }
    }

    @Test func benchClusterMeasuresARunningClusterAgainstItsDiskBaseline() async throws {
        try await withCluster { cluster in
            let result = try await cluster.run([
                "bench", "cluster", "--dir", cluster.dir, "--clients", "2", "--seconds", "1",
                "--stream-entries", "500", "--json",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let steps = document?["steps"] as? [[String: Any]] ?? []
            #expect(steps.count == 2)
            #expect(steps.allSatisfy { ($0["commits"] as? Int ?? 0) > 0 })
            #expect(steps.last?["commits"] as? Int == 500)
            // Something ran, so the machine was busy; steal is a share of it, never more.
            for step in steps {
                let busy = step["host_busy_percent"] as? Double ?? -1
                let steal = step["host_steal_percent"] as? Double ?? -1
                #expect(busy > 0 && busy <= 100 && steal >= 0 && steal <= busy, "busy \(busy) steal \(steal)")
            }
            let baseline = document?["baseline"] as? [String: Any]
            #expect((baseline?["fsyncs_per_second"] as? Double ?? 0) > 0)
            #expect(cluster.pid(of: 1) != nil, "a cluster it did not start is left running")
        }
    }

    @Test func appendWithoutAMajorityTimesOutAndSaysSo() async throws {
        try await withCluster { cluster in
            let leader = try await cluster.leader()
            for node in try cluster.description.nodes where node.id != leader {
                try await cluster.kill9(node.id)
            }
            let result = try await cluster.run(["append", "--cluster", cluster.dir, "--timeout", "2", "lonely"])
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.hasPrefix("paxoslog: error: "))
            #expect(result.stderr.contains("1 entry could not be confirmed"))

            // A read through the leader needs a majority too: tail gives up after its --timeout.
            let began = ContinuousClock.now
            let tail = try await cluster.run(["tail", "--cluster", cluster.dir, "--timeout", "2"])
            #expect(tail.status == 1)
            #expect(tail.stdout.isEmpty)
            #expect(tail.stderr.contains("cannot read the log within"), "\(tail.stderr)")
            #expect(ContinuousClock.now - began < .seconds(20))
        }
    }

    @Test func garbageAndWrongClusterConnectionsAreRefusedWhileTheNodeServes() async throws {
        try await withCluster { cluster in
            let description = try cluster.description
            let socket = try #require(description.nodes[0].socket)
            // Garbage bytes: the node closes that connection.
            let garbage = try await PaxosBinary.onDedicatedThread {
                try RawSocket.exchange(path: socket, send: Array(repeating: 0xFF, count: 64))
            }
            #expect(garbage.isEmpty || garbage.count < 200)
            // A hello for another cluster: refused with a generic reason that names neither id.
            let wrongCluster = Hello(clusterID: description.clusterIDValue &+ 1, role: .client, senderID: 0)
            let hello = wrongCluster.frame.wireBytes()
            let answer = try await PaxosBinary.onDedicatedThread { try RawSocket.exchange(path: socket, send: hello) }
            let refusalFrame = try Frame(wireBytes: answer)
            #expect(refusalFrame.kind == Hello.FrameKind.refused)
            let refusal = String(decoding: refusalFrame.payload, as: UTF8.self)
            #expect(refusal == "handshake refused: wrong cluster")
            for id in [description.clusterIDValue, description.clusterIDValue &+ 1] {
                #expect(!refusal.contains(String(id, radix: 16)) && !refusal.contains(String(id)))
            }
            // A hello of the first protocol version (no authentication): refused by version.
            let old = Frame(
                kind: Hello.FrameKind.hello, payload: Hello.magic + [1, 0] + Array(repeating: 7, count: 13)
            )
            .wireBytes()
            let oldAnswer = try await PaxosBinary.onDedicatedThread { try RawSocket.exchange(path: socket, send: old) }
            #expect(
                String(decoding: try Frame(wireBytes: oldAnswer).payload, as: UTF8.self)
                    == "handshake refused: unsupported protocol version 1")
            // An oversized frame header: refused too.
            let oversized = try await PaxosBinary.onDedicatedThread {
                try RawSocket.exchange(path: socket, send: [0xFF, 0xFF, 0xFF, 0x7F, 1])
            }
            #expect(oversized.count < 5 || oversized[4] == Hello.FrameKind.refused)

            // A client with another secret: the node fails the client's check of its proof, and the
            // client stops at once, saying so (it does not retry until its timeout).
            let impostorDir = cluster.dir + "/other-secret"
            try FileManager.default.createDirectory(atPath: impostorDir, withIntermediateDirectories: false)
            try ClusterSecret.random().write(to: impostorDir + "/cluster.secret")
            // cluster.json names the real secret file; this copy uses the one beside it.
            var copied = try ClusterDescription.load(from: cluster.dir)
            copied.secretFile = nil
            try copied.save(in: impostorDir)
            let began = ContinuousClock.now
            let refused = try await cluster.run(["append", "--cluster", impostorDir, "--timeout", "30", "sneaky"])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("failed to prove that it holds the cluster secret"), "\(refused.stderr)")
            #expect(ContinuousClock.now - began < .seconds(15))
            var log = ""
            for _ in 0..<50 where !log.contains("refused this node's proof") {
                try await Task.sleep(for: .milliseconds(40))
                log = (try? String(contentsOfFile: cluster.dir + "/node-1.log", encoding: .utf8)) ?? ""
            }
            #expect(log.contains("refused this node's proof"), "\(log)")

            let appended = try await cluster.run(["append", "--cluster", cluster.dir, "still-serving"])
            #expect(appended.status == 0)
            #expect(appended.stdoutLines == ["1"])
        }
    }

    /// A node without a usable secret file does not start: missing, or readable by others (as
    /// ssh refuses a private key with loose permissions), or of the wrong size. One line each.
    @Test func aNodeRefusesToStartWithoutAPrivateSecretFile() async throws {
        try await withTemporaryDirectory { dir in
            let secret = dir + "/cluster.secret"
            try ClusterSecret.random().write(to: secret)
            let cases: [(prepare: () throws -> Void, expected: String)] = [
                ({ try FileManager.default.removeItem(atPath: secret) }, "secret file \(secret) does not exist"),
                (
                    {
                        try ClusterSecret.random().write(to: secret)
                        chmod(secret, 0o644)
                    }, "secret file \(secret) is accessible by group or others (mode 0644)"
                ),
                (
                    {
                        try Data(repeating: 1, count: 31).write(to: URL(fileURLWithPath: secret))
                        chmod(secret, 0o600)
                    }, "holds 31 bytes"
                ),
            ]
            for (prepare, expected) in cases {
                try prepare()
                let result = try await PaxosBinary.run(
                    [
                        "node", "--id", "1", "--dir", dir + "/node-1", "--listen", "unix:\(dir)/node-1.sock",
                        "--secret-file", secret,
                    ], timeout: 30)
                #expect(result.status == 1, "\(expected): \(result.stderr)")
                #expect(result.stderr.hasPrefix("paxoslog: error: node 1: "), "\(result.stderr)")
                #expect(result.stderr.contains(expected), "\(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
                #expect(!FileManager.default.fileExists(atPath: dir + "/node-1.sock"), "it never listened")
            }
            let missingOption = try await PaxosBinary.run([
                "node", "--id", "1", "--dir", dir + "/node-1", "--listen", "unix:\(dir)/node-1.sock",
            ])
            #expect(missingOption.status == 64, "--secret-file is required: \(missingOption.stderr)")
        }
    }

    @Test func usageAndRuntimeErrorsFollowTheContract() async throws {
        try await withTemporaryDirectory { dir in
            // Usage errors: exit 64, one line on standard error, nothing on standard output.
            let usageErrors: [[String]] = [
                ["cluster", "start", "--dir", dir, "--nodes", "2"], ["append", "x"],
                ["tail", "--cluster", dir, "--format", "xml"], ["bench", "cluster", "--dir", dir, "--nodes", "2"],
                ["bench", "cluster", "--dir", dir, "--clients", "1,x"], ["cluster", "status", "--dir", dir, "--bogus"],
            ]
            for arguments in usageErrors {
                let usage = try await PaxosBinary.run(arguments)
                #expect(usage.status == 64, "\(arguments): \(usage.stderr)")
                #expect(usage.stderr.hasPrefix("paxoslog: error: "), "\(arguments)")
                #expect(usage.stderr.split(separator: "\n").count == 1, "\(arguments): \(usage.stderr)")
                #expect(usage.stdout.isEmpty, "\(arguments)")
            }
            let missing = try await PaxosBinary.run(["append", "--cluster", dir + "/nothing", "x"])
            #expect(missing.status == 1)
            #expect(missing.stderr.hasPrefix("paxoslog: error: no cluster at"))
            #expect(missing.stdout.isEmpty)
            let help = try await PaxosBinary.run(["append", "--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("--timeout"))
        }
    }
}

/// A plain Unix socket client for feeding a node bytes no real client would send.
enum RawSocket {
    /// Connects to `path`, sends `send`, and returns whatever comes back before the node closes
    /// the connection (or 2 s pass).
    static func exchange(path: String, send: [UInt8]) throws -> [UInt8] {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw ClientError("connect \(path): errno \(errno)") }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = send.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return received
    }
}
