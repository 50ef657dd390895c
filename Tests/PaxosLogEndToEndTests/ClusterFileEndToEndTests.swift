import Foundation
import PaxosTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A cluster described by a cluster file (`cluster init`), its members run from it with
/// `node --config`, over TCP with the certificates `certs create` makes, and clients that need
/// nothing but the file.
@Suite(.serialized) struct ClusterFileEndToEndTests {
    /// `node --config FILE --id K --data DIR --new-cluster` for each member; killed when `body` returns or throws.
    func withMembers(
        of file: String, ids: [UInt32], in dir: String, _ body: ([UInt32: Process]) async throws -> Void
    ) async throws {
        let binary = try PaxosBinary.path()
        var processes: [UInt32: Process] = [:]
        defer {
            for process in processes.values where process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        for id in ids {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [
                "node", "--config", file, "--id", "\(id)", "--data", dir + "/data-\(id)", "--new-cluster",
            ]
            _ = FileManager.default.createFile(atPath: dir + "/node-\(id).log", contents: nil)
            let log = FileHandle(forWritingAtPath: dir + "/node-\(id).log") ?? FileHandle.nullDevice
            process.standardOutput = log
            process.standardError = log
            try process.run()
            processes[id] = process
        }
        try await body(processes)
    }

    func statusRows(_ result: PaxosBinary.Result) -> [[String: Any]] {
        result.stdoutLines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func aClusterFileRunsMembersOverTLSAndServesClientsThatHaveOnlyTheFile() async throws {
        try await withTemporaryDirectory { dir in
            let tls = dir + "/tls"
            let made = try await PaxosBinary.run([
                "certs", "create", "--out", tls, "--node", "1", "--node", "2", "--node", "3", "--client", "ops",
            ])
            try #require(made.status == 0, "\(made.stderr)")
            let ports = try FreePorts.reserve(3)
            let file = dir + "/etc/cluster.json"
            let initialized = try await PaxosBinary.run(
                ["cluster", "init", "--out", file, "--tls-dir", tls]
                    + (0..<3).flatMap { ["--node", "\($0 + 1)=tcp:127.0.0.1:\(ports[$0])"] })
            try #require(initialized.status == 0, "\(initialized.stderr)")
            #expect(initialized.stdoutLines == [file])
            let secretMode =
                try FileManager.default.attributesOfItem(atPath: dir + "/etc/cluster.secret")[
                    .posixPermissions] as? Int
            #expect(secretMode == 0o600, "the secret is made beside the file, private")
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
            let members = try #require(json["nodes"] as? [[String: Any]])
            #expect(members.map { Set($0.keys) } == Array(repeating: ["id", "address"], count: 3), "no local keys")
            #expect(json["tls_dir"] as? String == tls)

            try await withMembers(of: file, ids: [1, 2, 3], in: dir) { processes in
                // No TLS flags: the client takes ca.pem and its certificate from the file's tls_dir.
                let appended = try await PaxosBinary.run([
                    "append", "--cluster", file, "--timeout", "60", "over", "the file",
                ])
                #expect(appended.status == 0, "\(appended.stderr)\n\(LocalCluster.logs(dir))")
                #expect(appended.stdoutLines == ["1", "2"])
                // The directory holding the file names the same cluster.
                let tail = try await PaxosBinary.run(["tail", "--cluster", dir + "/etc"])
                #expect(tail.stdoutLines == ["1\tover", "2\tthe file"], "\(tail.stderr)")

                let status = try await PaxosBinary.run(["cluster", "status", "--cluster", file, "--json"])
                #expect(status.status == 0, "\(status.stderr)")
                let rows = statusRows(status)
                #expect(rows.map { $0["alive"] as? Bool } == [true, true, true], "\(status.stdout)")
                #expect(rows.filter { $0["role"] as? String == "leader" }.count == 1, "\(status.stdout)")
                #expect(rows.allSatisfy { $0["pid"] is NSNull }, "no pid files: remote members, as far as status knows")

                // A member that is gone is shown as not answering; the others still answer.
                let victim = try #require(processes[3])
                kill(victim.processIdentifier, SIGKILL)
                victim.waitUntilExit()
                let after = statusRows(try await PaxosBinary.run(["cluster", "status", "--cluster", file, "--json"]))
                #expect(after.map { $0["alive"] as? Bool } == [true, true, false])
                #expect(after.last?["error"] is String)
                // The others log who went away, from where, and how (not as a failed TLS handshake).
                let expected = "closing connection from node 3 at 127.0.0.1:"
                for _ in 0..<100 where !LocalCluster.logsContain(dir, expected) {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(LocalCluster.logsContain(dir, expected), "\(LocalCluster.logs(dir))")
                #expect(
                    LocalCluster.logsContain(dir, "the peer closed the connection without ending TLS"),
                    "\(LocalCluster.logs(dir))")
            }
        }
    }

    @Test func clusterInitAndNodeConfigRefuseWhatCannotWork() async throws {
        try await withTemporaryDirectory { dir in
            let tls = dir + "/tls"
            _ = try await PaxosBinary.run(["certs", "create", "--out", tls, "--node", "1", "--node", "2"])
            let twoNodes = ["--node", "1=tcp:127.0.0.1:21001", "--node", "2=tcp:127.0.0.1:21002"]

            let plain = try await PaxosBinary.run(["cluster", "init", "--out", dir + "/a.json"] + twoNodes)
            #expect(plain.status == 64)
            #expect(
                plain.stderr.contains("node 1 is on TCP, which needs mutual TLS: give --tls-dir"), "\(plain.stderr)")
            let twice = try await PaxosBinary.run([
                "cluster", "init", "--out", dir + "/a.json", "--insecure", "--node", "1=tcp:h:1", "--node", "1=tcp:h:2",
            ])
            #expect(twice.status == 64)
            #expect(twice.stderr.contains("node 1 is given twice"), "\(twice.stderr)")
            let lacking = try await PaxosBinary.run(
                ["cluster", "init", "--out", dir + "/a.json", "--tls-dir", tls, "--node", "3=tcp:127.0.0.1:21003"]
                    + twoNodes)
            #expect(lacking.status == 1)
            #expect(lacking.stderr.contains("lacks node-3.pem"), "\(lacking.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/a.json"))

            let file = dir + "/cluster.json"
            let made = try await PaxosBinary.run(["cluster", "init", "--out", file, "--tls-dir", tls] + twoNodes)
            #expect(made.status == 0, "\(made.stderr)")
            let again = try await PaxosBinary.run(["cluster", "init", "--out", file, "--tls-dir", tls] + twoNodes)
            #expect(again.status == 1)
            #expect(again.stderr.contains("already exists; refusing to overwrite it"), "\(again.stderr)")

            let stranger = try await PaxosBinary.run([
                "node", "--config", file, "--id", "4", "--data", dir + "/d",
            ])
            #expect(stranger.status == 64)
            #expect(
                stranger.stderr.contains("node 4 is not a member in \(file) (its members: 1, 2)"), "\(stranger.stderr)")
            let noData = try await PaxosBinary.run(["node", "--config", file, "--id", "1"])
            #expect(noData.status == 64)
            #expect(noData.stderr.contains("give --data DIR"), "\(noData.stderr)")
            let mixed = try await PaxosBinary.run([
                "node", "--config", file, "--id", "1", "--data", dir + "/d", "--peer", "2=tcp:127.0.0.1:1",
            ])
            #expect(mixed.status == 64)
            #expect(mixed.stderr.contains("come from the cluster file"), "\(mixed.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/d"), "nothing was started")
        }
    }
}
