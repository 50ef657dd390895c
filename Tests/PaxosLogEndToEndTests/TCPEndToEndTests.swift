import Foundation
import PaxosLogClient
import PaxosTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Nodes talking TCP (as across machines), with a hand-written cluster.json naming TCP addresses.
@Suite(.serialized) struct TCPEndToEndTests {
    @Test func aClusterOverTCPAppendsAndReads() async throws {
        try await withTemporaryDirectory { dir in
            let base = Int.random(in: 20_000...40_000)
            let binary = try PaxosBinary.path()
            let ids: [UInt32] = [1, 2, 3]
            var processes: [Process] = []
            defer {
                for process in processes where process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
            }
            var nodes: [ClusterDescription.Node] = []
            for id in ids {
                var argv = [
                    binary, "node", "--id", "\(id)", "--dir", dir + "/node-\(id)", "--listen",
                    "tcp:127.0.0.1:\(base + Int(id))", "--cluster-id", "7c9",
                ]
                for peer in ids where peer != id {
                    argv += ["--peer", "\(peer)=tcp:127.0.0.1:\(base + Int(peer))"]
                }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = Array(argv.dropFirst())
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                processes.append(process)
                nodes.append(
                    ClusterDescription.Node(
                        id: id, pid: process.processIdentifier, socket: "", dir: dir + "/node-\(id)", argv: argv,
                        address: "tcp:127.0.0.1:\(base + Int(id))"))
            }
            try ClusterDescription(clusterID: 0x7c9, nodes: nodes).save(in: dir)
            let cluster = LocalCluster(dir: dir)
            _ = try await cluster.leader()

            let appended = try await cluster.run(["append", "--cluster", dir, "over", "tcp"])
            #expect(appended.status == 0, "\(appended.stderr)")
            #expect(appended.stdoutLines == ["1", "2"])
            let tail = try await cluster.run(["tail", "--cluster", dir])
            #expect(tail.stdoutLines == ["1\tover", "2\ttcp"])
        }
    }
}
