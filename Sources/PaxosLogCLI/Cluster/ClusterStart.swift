import ArgumentParser
import Foundation
import PaxosCompression
import PaxosJournal
import PaxosLogClient
import PaxosNode
import PaxosProtocol
import PaxosTransport

/// `paxoslog cluster start`.
struct ClusterStart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start (or restart) a local cluster and wait until it has a leader.",
        discussion: """
            Starts N `paxoslog node` processes in the background, each with its data in DIR/node-K/ \
            and its socket at DIR/node-K.sock, writes DIR/cluster.json, and returns once a leader is \
            elected and every node answers. On an existing DIR it restarts only the nodes that are \
            not running, keeping all data.

            Each new node serves GET /metrics (Prometheus) and GET /health over HTTP on a free \
            port of 127.0.0.1, recorded as "metrics" in cluster.json and printed here.

            --segment-mib, --checkpoint-interval, --log-format and --log-level apply to the nodes of a new cluster (they are \
            recorded in each node's argv in cluster.json).

            A new cluster gets a secret, DIR/cluster.secret (32 random bytes, mode 0600), which \
            every node and client must prove it holds; keep it private. Restarts keep it.

            Example:
              paxoslog cluster start --dir /tmp/demo --nodes 3
            """
    )

    @OptionGroup var cluster: ClusterDirectoryOption

    @Option(help: "How many nodes (odd, 1 to 9). Ignored for an existing cluster.")
    var nodes: Int = 3

    @Option(help: "Journal codec for new nodes.")
    var codec: CodecArgument = .lz4

    @Option(help: "Seconds to wait for a leader and every node to answer.")
    var wait: Double = 20

    @OptionGroup var storage: NodeStorageOptions

    @OptionGroup var logging: NodeLoggingOptions

    func validate() throws {
        guard (1...9).contains(nodes), nodes % 2 == 1 else { throw ValidationError("--nodes must be odd, from 1 to 9") }
        guard wait > 0 else { throw ValidationError("--wait must be positive") }
    }

    func run() async throws {
        let dir = cluster.absolute
        do {
            try FileManager.default.createDirectory(
                atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError("cannot create the cluster directory \(dir): \(error.localizedDescription)")
        }
        chmod(dir, 0o700)
        var description: ClusterDescription
        if FileManager.default.fileExists(atPath: ClusterDescription.path(in: dir)) {
            description = try ClusterDescription.load(from: dir)
        } else {
            description = try newCluster(in: dir)
        }

        var started: [UInt32] = []
        for index in description.nodes.indices {
            let node = description.nodes[index]
            let pidPath = dir + "/node-\(node.id).pid"
            if let pid = PidFile.liveNode(pidPath: pidPath, started: node.pid) {
                description.nodes[index].pid = pid
                continue
            }
            guard let argv = node.argv, !argv.isEmpty else {
                throw CLIError(
                    "node \(node.id) in \(ClusterDescription.path(in: dir)) has no argv: cluster start runs local nodes only (start a remote member on its host with 'paxoslog node --config FILE --id \(node.id)')"
                )
            }
            let pid = try ProcessLauncher.spawnDetached(argv, logFile: dir + "/node-\(node.id).log")
            description.nodes[index].pid = pid
            started.append(node.id)
        }
        do {
            try description.save(in: dir)
        } catch {
            throw CLIError("cannot write \(ClusterDescription.path(in: dir)): \(error)")
        }
        if !started.isEmpty {
            Output.note(
                "started node\(started.count == 1 ? "" : "s") \(started.map(String.init).joined(separator: ", ")) in \(dir)"
            )
        }
        let spawned = Dictionary(
            uniqueKeysWithValues: description.nodes.filter { started.contains($0.id) }.compactMap { node in
                node.pid.map { (node.id, $0) }
            })
        let leader = try await waitForLeader(description, spawned: spawned, seconds: wait)
        for node in description.nodes {
            if let metrics = node.metrics, let address = try? TransportAddress(parsing: metrics),
                case .tcp(let host, let port) = address
            {
                Output.note("node \(node.id) metrics: http://\(host):\(port)/metrics")
            }
        }
        Output.line(
            "cluster of \(description.nodes.count) node\(description.nodes.count == 1 ? "" : "s") in \(dir): leader is node \(leader)"
        )
    }

    private func newCluster(in dir: String) throws -> ClusterDescription {
        let clusterID = UInt64.random(in: 1...UInt64.max)
        let executable = ProcessLauncher.currentExecutable()
        let sockets = (1...nodes).map { dir + "/node-\($0).sock" }
        if let long = sockets.first(where: { $0.utf8.count >= 104 }) {
            throw CLIError("the socket path \(long) is too long for a Unix socket (104 bytes); use a shorter --dir")
        }
        let secretPath = ClusterDescription.secretPath(in: dir)
        let secret = try makeSecret(at: secretPath)
        let metricsPorts = try LoopbackPorts.pick(nodes)
        let members: [ClusterDescription.Node] = (1...nodes).map { id in
            let metrics = "tcp:127.0.0.1:\(metricsPorts[id - 1])"
            var argv =
                [
                    executable, "node", "--id", "\(id)", "--dir", dir + "/node-\(id)", "--listen",
                    "unix:" + sockets[id - 1],
                    "--cluster-id", String(clusterID, radix: 16), "--secret-file", secretPath, "--codec",
                    codec.rawValue, "--pid-file", dir + "/node-\(id).pid", "--metrics-listen", metrics,
                ] + storage.nodeArguments + logging.nodeArguments
            for peer in 1...nodes where peer != id {
                argv += ["--peer", "\(peer)=unix:" + sockets[peer - 1]]
            }
            return ClusterDescription.Node(
                id: UInt32(id), pid: 0, socket: sockets[id - 1], dir: dir + "/node-\(id)", argv: argv,
                metrics: metrics)
        }
        for id in 1...nodes {
            try prepareDataDirectory(dir + "/node-\(id)", clusterID: clusterID, nodeID: UInt32(id))
        }
        return ClusterDescription(clusterID: clusterID, nodes: members, secretFile: secretPath, secret: secret)
    }

    /// A new secret at `path`, or the one already there: an operator may have put one in place
    /// before the first start (to share it with a client elsewhere); it must pass the same checks.
    private func makeSecret(at path: String) throws -> ClusterSecret {
        if FileManager.default.fileExists(atPath: path) {
            return try ClusterSecret.load(from: path)
        }
        let secret = ClusterSecret.random()
        try secret.write(to: path)
        return secret
    }

    /// Creates a new member's data directory with its identity, so its first start expects an
    /// empty journal; on later starts an empty or missing directory means lost state.
    private func prepareDataDirectory(_ path: String, clusterID: UInt64, nodeID: UInt32) throws {
        // A new cluster over another cluster's data would replay that cluster's promises.
        if FileManager.default.fileExists(atPath: NodeIdentity.path(in: path))
            || Journal.containsSegments(directory: path + "/journal")
        {
            throw CLIError(
                "\(path) already holds a node's data, but there is no cluster.json beside it: a new cluster starts "
                    + "from empty directories (move it away, or put its cluster.json back)")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try NodeIdentity.initializeNewMember(dataDirectory: path, clusterID: clusterID, nodeID: nodeID)
        } catch {
            throw CLIError("cannot prepare the data directory \(path): \(error)")
        }
    }

    /// Polls every node's status until all answer and agree on a leader that says it leads. A node
    /// this command started (`spawned`: id to pid) that exits meanwhile fails the start at once,
    /// with the last line of its log (a bad data directory, a socket in use), instead of after
    /// the whole wait.
    private func waitForLeader(
        _ description: ClusterDescription, spawned: [UInt32: Int32], seconds: Double
    ) async throws -> UInt32 {
        let client = PaxosLogClient(cluster: description)
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        var silent: [UInt32] = description.nodes.map(\.id)
        while ContinuousClock.now < deadline {
            for (id, pid) in spawned.sorted(by: { $0.key < $1.key }) {
                var status: Int32 = 0
                guard waitpid(pid, &status, WNOHANG) == pid else { continue }
                let log = cluster.absolute + "/node-\(id).log"
                let lastLine =
                    ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
                    .split(separator: "\n").last.map(String.init) ?? "(its log is empty)"
                throw CLIError("node \(id) exited during start: \(lastLine) (see \(log))")
            }
            var statuses: [UInt32: NodeStatus] = [:]
            for node in description.nodes {
                if let status = try? await client.status(of: node.id, timeout: .milliseconds(500)) {
                    statuses[node.id] = status
                }
            }
            silent = description.nodes.map(\.id).filter { statuses[$0] == nil }
            if silent.isEmpty, let leader = statuses.values.first(where: { $0.role == "leader" })?.id,
                statuses.values.allSatisfy({ $0.leader == leader })
            {
                return leader
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        if silent.isEmpty {
            throw CLIError("no leader was elected within \(seconds) s; see the node logs in \(cluster.absolute)")
        }
        throw CLIError(
            "node\(silent.count == 1 ? "" : "s") \(silent.map(String.init).joined(separator: ", ")) did not answer within \(seconds) s; see \(silent.map { cluster.absolute + "/node-\($0).log" }.joined(separator: ", "))"
        )
    }
}
