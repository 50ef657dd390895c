import Foundation
import PaxosLogClient
import PaxosTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A real cluster of `paxoslog node` processes in a temporary directory, driven through the CLI.
struct LocalCluster {
    let dir: String

    /// `paxoslog cluster start`; fails the test if it does not succeed.
    static func start(in dir: String, nodes: Int = 3, options: [String] = []) async throws -> LocalCluster {
        let result = try await PaxosBinary.run(
            ["cluster", "start", "--dir", dir, "--nodes", "\(nodes)", "--wait", "30"] + options)
        guard result.status == 0 else {
            throw ClientError("cluster start failed (\(result.status)): \(result.stderr)\n\(logs(dir))")
        }
        return LocalCluster(dir: dir)
    }

    var description: ClusterDescription {
        get throws { try ClusterDescription.load(from: dir) }
    }

    func pid(of node: UInt32) -> Int32? {
        (try? String(contentsOfFile: dir + "/node-\(node).pid", encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The node that says it leads, once all answering nodes agree (polls up to `seconds`: generous,
    /// since `make test` runs every end-to-end suite at once on two cores, and an election there
    /// has been seen to take more than 20 s).
    func leader(within seconds: Double = 60, excluding: Set<UInt32> = []) async throws -> UInt32 {
        let client = PaxosLogClient(cluster: try description)
        let deadline = Date().addingTimeInterval(seconds)
        var answers: [UInt32: String] = [:]
        while Date() < deadline {
            for node in try description.nodes where !excluding.contains(node.id) {
                do {
                    let status = try await client.status(of: node.id, timeout: .seconds(2))
                    if status.role == "leader" { return node.id }
                    answers[node.id] = "role \(status.role)"
                } catch {
                    answers[node.id] = "\(error)"
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let last = answers.sorted { $0.key < $1.key }.map { "node \($0.key): \($0.value)" }
        throw ClientError(
            "no leader within \(seconds) s; last answers:\n\(last.joined(separator: "\n"))\n\(Self.logs(dir))")
    }

    /// SIGKILLs node `node` and waits until it is gone.
    func kill9(_ node: UInt32) async throws {
        guard let pid = pid(of: node) else { throw ClientError("node \(node) has no pid file") }
        _ = Glibc.kill(pid, SIGKILL)
        while Glibc.kill(pid, 0) == 0 {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Starts node `node` again from its `argv` in cluster.json, as an operator would.
    func restart(_ node: UInt32) throws {
        guard let entry = try description.nodes.first(where: { $0.id == node }), let argv = entry.argv,
            let executable = argv.first
        else {
            throw ClientError("node \(node) is not in cluster.json")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(argv.dropFirst())
        let log = FileHandle(forWritingAtPath: dir + "/node-\(node).log") ?? FileHandle.nullDevice
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Node `node`'s own log as `tail --node` prints it, once it holds at least `count` lines or
    /// `seconds` have passed (whatever it holds then): a restarted node may still be catching up.
    func localLog(of node: UInt32, count: Int, within seconds: Double = 60) async throws -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var lines: [String] = []
        repeat {
            let tail = try await run(["tail", "--cluster", dir, "--node", "\(node)"])
            lines = tail.stdoutLines
            if tail.status == 0 && lines.count >= count { break }
            try await Task.sleep(for: .milliseconds(200))
        } while Date() < deadline
        return lines
    }

    /// `paxoslog cluster stop`, then SIGKILL for anything left.
    func stop() async {
        _ = try? await PaxosBinary.run(["cluster", "stop", "--dir", dir])
        for node in (try? description.nodes) ?? [] {
            if let pid = pid(of: node.id) { _ = Glibc.kill(pid, SIGKILL) }
        }
    }

    func run(_ arguments: [String], stdin: Data? = nil) async throws -> PaxosBinary.Result {
        try await PaxosBinary.run(arguments, stdin: stdin)
    }

    /// Whether any node log in `dir` holds `text` anywhere (not only in its last lines: a loaded
    /// machine may log more after the line a test looks for).
    static func logsContain(_ dir: String, _ text: String) -> Bool {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".log") }
        return names.contains { name in
            ((try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? "").contains(text)
        }
    }

    /// The tail of every node log, for failure messages.
    static func logs(_ dir: String) -> String {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".log") }
            .sorted()
        return names.map { name in
            let text = (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? ""
            return "== \(name)\n" + text.split(separator: "\n").suffix(15).joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

/// Runs `body` with a started cluster, and always stops it.
func withCluster(
    nodes: Int = 3, options: [String] = [], _ body: (LocalCluster) async throws -> Void
) async throws {
    try await withTemporaryDirectory { dir in
        let cluster = try await LocalCluster.start(in: dir, nodes: nodes, options: options)
        do {
            try await body(cluster)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }
}
