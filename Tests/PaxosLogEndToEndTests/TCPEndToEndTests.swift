import Foundation
import PaxosCertificates
import PaxosLogClient
import PaxosTestSupport
import PaxosTransport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Nodes talking TCP (as across machines), with a hand-written cluster.json naming TCP addresses:
/// mutual TLS with the certificates `certs create` makes, and plain TCP with `--insecure`.
@Suite(.serialized) struct TCPEndToEndTests {
    /// Three `paxoslog node` processes on 127.0.0.1, each given `security(id)` as extra flags,
    /// and cluster.json naming their TCP addresses; killed when `body` returns or throws.
    func withTCPCluster(
        in dir: String, security: (UInt32) -> [String], _ body: () async throws -> Void
    ) async throws {
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
            argv += security(id)
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
        try await body()
    }

    @Test func aClusterOverTCPWithMutualTLSAppendsAndReads() async throws {
        try await withTemporaryDirectory { dir in
            let cluster = LocalCluster(dir: dir)
            let tls = dir + "/tls"
            let made = try await cluster.run([
                "certs", "create", "--out", tls, "--node", "1", "--node", "2", "--node", "3", "--client", "ops",
            ])
            #expect(made.status == 0, "\(made.stderr)")
            try await withTCPCluster(in: dir, security: { _ in ["--tls-dir", tls] }) {
                // The CLI waits for a leader itself (append retries until --timeout), so no separate wait.
                let appended = try await cluster.run([
                    "append", "--cluster", dir, "--tls-dir", tls, "--timeout", "60", "over", "tls",
                ])
                #expect(appended.status == 0, "\(appended.stderr)\n\(LocalCluster.logs(dir))")
                #expect(appended.stdoutLines == ["1", "2"])
                let tail = try await cluster.run(["tail", "--cluster", dir, "--tls-dir", tls, "--client", "ops"])
                #expect(tail.stdoutLines == ["1\tover", "2\ttls"])

                // Without TLS material a client is told what to pass, before it connects.
                let bare = try await cluster.run(["tail", "--cluster", dir])
                #expect(bare.status == 64)
                #expect(bare.stderr.contains("needs mutual TLS: give --tls-dir DIR"), "\(bare.stderr)")
                // A plaintext client is refused by the nodes, which log why, and is told so itself.
                let plain = try await cluster.run(["append", "--cluster", dir, "--insecure", "--timeout", "3", "x"])
                #expect(plain.status != 0)
                #expect(plain.stdoutLines.isEmpty)
                #expect(plain.stderr.contains("the peer speaks TLS and this side plain TCP"), "\(plain.stderr)")
                #expect(LocalCluster.logsContain(dir, "the peer does not speak TLS"), "\(LocalCluster.logs(dir))")
                // A client certificate from another cluster's CA is refused too.
                let other = dir + "/other"
                _ = try await cluster.run(["certs", "create", "--out", other, "--node", "1", "--client", "ops"])
                let foreign = try await cluster.run([
                    "append", "--cluster", dir, "--tls-dir", other, "--timeout", "3", "x",
                ])
                #expect(foreign.status != 0)
                #expect(foreign.stderr.contains("did not verify against the cluster CA"), "\(foreign.stderr)")
                let after = try await cluster.run(["tail", "--cluster", dir, "--tls-dir", tls])
                #expect(after.stdoutLines == ["1\tover", "2\ttls"], "nothing from the refused clients")
            }
        }
    }

    @Test func aClusterOverPlainTCPRunsWithInsecure() async throws {
        try await withTemporaryDirectory { dir in
            let cluster = LocalCluster(dir: dir)
            try await withTCPCluster(in: dir, security: { _ in ["--insecure"] }) {
                let appended = try await cluster.run([
                    "append", "--cluster", dir, "--insecure", "--timeout", "60", "over", "tcp",
                ])
                #expect(appended.status == 0, "\(appended.stderr)")
                #expect(appended.stdoutLines == ["1", "2"])
                let tail = try await cluster.run(["tail", "--cluster", dir, "--insecure"])
                #expect(tail.stdoutLines == ["1\tover", "2\ttcp"])
            }
        }
    }

    /// A node on TCP with neither --tls-dir nor --insecure does not start, and says what to do.
    @Test func aTCPNodeWithoutTLSOrInsecureRefusesToStart() async throws {
        try await withTemporaryDirectory { dir in
            let secret = dir + "/cluster.secret"
            try ClusterSecret.random().write(to: secret)
            let port = try FreePorts.reserve(1)[0]
            let result = try await PaxosBinary.run([
                "node", "--id", "1", "--dir", dir + "/node-1", "--listen", "tcp:127.0.0.1:\(port)", "--secret-file",
                secret,
            ])
            #expect(result.status == 64)
            #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
            #expect(result.stderr.contains("node 1 uses TCP, which needs mutual TLS: give --tls-dir DIR"))
            #expect(result.stderr.contains("or --insecure"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/node-1"), "nothing was started")
        }
    }

    /// `certs create` writes loadable material that names each member, keys 0600, and never
    /// overwrites.
    @Test func certsCreateWritesMaterialEveryMemberCanLoad() async throws {
        try await withTemporaryDirectory { dir in
            let out = dir + "/tls"
            let result = try await PaxosBinary.run([
                "certs", "create", "--out", out, "--node", "1", "--node", "2", "--client", "ops", "--days", "30",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let names = [
                "ca.pem", "ca-key.pem", "node-1.pem", "node-1-key.pem", "node-2.pem", "node-2-key.pem",
                "client-ops.pem", "client-ops-key.pem",
            ]
            #expect(result.stdoutLines == names.map { out + "/" + $0 })
            for name in names {
                let mode = try FileManager.default.attributesOfItem(atPath: out + "/" + name)[.posixPermissions] as? Int
                #expect(mode == (name.hasSuffix("-key.pem") ? 0o600 : 0o644), "\(name)")
            }
            for identity in [CertificateIdentity.node(1), .node(2), .client("ops")] {
                let security = try TransportSecurity.load(directory: out, identity: identity)
                #expect(security.identity == identity)
                let days = security.validUntil.timeIntervalSinceNow / 86_400
                #expect(days > 29.99 && days < 30.01, "X.509 times are whole seconds")
            }
            // Node 2's pair copied in as node 1's does not pass: the certificate names node 2.
            for suffix in [".pem", "-key.pem"] {
                try FileManager.default.removeItem(atPath: out + "/node-1" + suffix)
                try FileManager.default.copyItem(atPath: out + "/node-2" + suffix, toPath: out + "/node-1" + suffix)
            }
            #expect {
                try TransportSecurity.load(directory: out, identity: .node(1))
            } throws: { error in
                (error as? TransportError)?.message == "\(out)/node-1.pem names node 2, not node 1"
            }

            let again = try await PaxosBinary.run(["certs", "create", "--out", out, "--node", "3"])
            #expect(again.status == 1)
            #expect(again.stderr.contains("\(out)/ca.pem already exists; refusing to overwrite it"), "\(again.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out + "/node-3.pem"))
            let bad = try await PaxosBinary.run([
                "certs", "create", "--out", dir + "/x", "--node", "1", "--client", "../a",
            ])
            #expect(bad.status == 64)
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
