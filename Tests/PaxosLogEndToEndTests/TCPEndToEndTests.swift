import Foundation
import PaxosLogClient
import PaxosTestSupport
import PaxosTransport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Nodes talking TCP (as across machines), with a hand-written cluster.json naming TCP addresses.
@Suite(.serialized) struct TCPEndToEndTests {
    @Test func aClusterOverTCPAppendsAndReads() async throws {
        try await withTemporaryDirectory { dir in
            let ports = try FreePorts.reserve(3)
            let binary = try PaxosBinary.path()
            let ids: [UInt32] = [1, 2, 3]
            var processes: [Process] = []
            defer {
                for process in processes where process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
            }
            // The secret beside cluster.json, where clients look when cluster.json names none.
            let secret = dir + "/cluster.secret"
            try ClusterSecret.random().write(to: secret)
            var nodes: [ClusterDescription.Node] = []
            for id in ids {
                var argv = [
                    binary, "node", "--id", "\(id)", "--dir", dir + "/node-\(id)", "--listen",
                    "tcp:127.0.0.1:\(ports[Int(id) - 1])", "--cluster-id", "7c9", "--secret-file", secret,
                    "--new-cluster",
                ]
                for peer in ids where peer != id {
                    argv += ["--peer", "\(peer)=tcp:127.0.0.1:\(ports[Int(peer) - 1])"]
                }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = Array(argv.dropFirst())
                _ = FileManager.default.createFile(atPath: dir + "/node-\(id).log", contents: nil)
                let log = FileHandle(forWritingAtPath: dir + "/node-\(id).log") ?? FileHandle.nullDevice
                process.standardOutput = log
                process.standardError = log
                try process.run()
                processes.append(process)
                nodes.append(
                    ClusterDescription.Node(
                        id: id, pid: process.processIdentifier, socket: "", dir: dir + "/node-\(id)", argv: argv,
                        address: "tcp:127.0.0.1:\(ports[Int(id) - 1])"))
            }
            try ClusterDescription(clusterID: 0x7c9, nodes: nodes).save(in: dir)
            // The CLI waits for a leader itself (append retries until --timeout), so no separate wait.
            let cluster = LocalCluster(dir: dir)
            let appended = try await cluster.run(["append", "--cluster", dir, "--timeout", "60", "over", "tcp"])
            #expect(appended.status == 0, "\(appended.stderr)")
            #expect(appended.stdoutLines == ["1", "2"])
            let tail = try await cluster.run(["tail", "--cluster", dir])
            #expect(tail.stdoutLines == ["1\tover", "2\ttcp"])
        }
    }
}

/// Ports that are free now and below Linux's ephemeral range (32768 and up), so no outgoing
/// connection of this or a parallel test can take one before the node binds it.
enum FreePorts {
    static func reserve(_ count: Int) throws -> [Int] {
        var ports: [Int] = []
        var generator = SystemRandomNumberGenerator()
        while ports.count < count {
            let port = Int.random(in: 20_000..<32_000, using: &generator)
            if !ports.contains(port), try isFree(port) { ports.append(port) }
        }
        return ports
    }

    private static func isFree(_ port: Int) throws -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ClientError("socket: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
