import ArgumentParser
import Foundation
import Logging
import PaxosCertificates
import PaxosCompression
import PaxosCore
import PaxosJournal
import PaxosNode
import PaxosTransport

/// `paxoslog node`: one member of a cluster, in the foreground.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run one cluster member in the foreground.",
        discussion: """
            The node keeps its journal in DIR/journal, listens on --listen for peers and clients, \
            and connects to every --peer. SIGTERM or SIGINT shut it down cleanly. `paxoslog cluster \
            start` runs these for you; the exact command for each node is in DIR/cluster.json.

            Every connection, from a peer or a client, must prove it holds the cluster secret: the \
            --secret-file, exactly 32 random bytes, readable by its owner only (the node refuses to \
            start otherwise). `cluster start` writes DIR/cluster.secret; for a cluster run by hand, \
            make one and copy it to every machine: (umask 077; head -c 32 /dev/urandom > cluster.secret)

            Over TCP (a --listen or --peer tcp:HOST:PORT) every connection is mutual TLS: give \
            --tls-dir DIR holding ca.pem, node-K.pem and node-K-key.pem for this node's id K \
            (`paxoslog certs create --out DIR --node 1 --node 2 --node 3 --client NAME` makes them; \
            copy ca.pem and each node's pair to its machine). Peers and clients must present a \
            certificate from the same CA; a peer's must name the node it claims to be. Plain TCP \
            only with --insecure, on the nodes and the clients alike. Unix sockets never use TLS.

            With --config FILE (a cluster file from `paxoslog cluster init`), the node takes its \
            address, its peers, the cluster id, the secret and the TLS directory from the file: \
            `paxoslog node --config FILE --id K --data DIR`. --listen then only overrides where it \
            binds (tcp:0.0.0.0:PORT to listen on every interface); peers still dial the file's address.

            With --metrics-listen tcp:127.0.0.1:9101 the node serves GET /metrics (Prometheus text \
            format) and GET /health (200, or 503 with one line saying why: no leader heard within the \
            election timeout, or a journal it cannot write) over HTTP; the README lists every series. \
            --log-format json writes one JSON object per line, each naming the node, with an "event" \
            key for node_started, leader_changed, role_changed and node_stopped.

            Examples:
              paxoslog node --id 1 --dir /tmp/c/node-1 --listen unix:/tmp/c/node-1.sock \\
                --secret-file /tmp/c/cluster.secret \\
                --peer 2=unix:/tmp/c/node-2.sock --peer 3=unix:/tmp/c/node-3.sock
              paxoslog node --config /etc/paxoslog/cluster.json --id 1 --data /var/lib/paxoslog --new-cluster
            """
    )

    @Option(help: "This node's id (1 and up; unique in the cluster).")
    var id: UInt32

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("A cluster file ('paxoslog cluster init'): run member --id of it.", valueName: "file"))
    var config: String?

    @Option(
        name: [.customLong("dir"), .customLong("data")],
        help:
            "The node's data directory (its journal lives in DIR/journal); with --config, the member's dir by default.")
    var dir: String?

    @Option(
        help: "Where to listen: unix:PATH or tcp:HOST:PORT (with --config: the member's address by default).",
        transform: AddressArgument.parse)
    var listen: TransportAddress?

    @Option(name: .customLong("peer"), help: "Another member as ID=ADDRESS (repeat for each).")
    var peers: [String] = []

    @Option(
        name: .customLong("cluster-id"), help: "The cluster's id (hex); connections from other clusters are refused.")
    var clusterID: String?

    @Option(
        name: .customLong("secret-file"),
        help: "The cluster secret: a file of exactly 32 raw bytes, mode 0600 (required without --config).")
    var secretFile: String?

    @Option(
        name: .customLong("tls-dir"),
        help: ArgumentHelp(
            "Directory with ca.pem, node-K.pem and node-K-key.pem (K = --id): mutual TLS on TCP.", valueName: "dir"))
    var tlsDirectory: String?

    @Flag(
        help: "Allow plain TCP without TLS: anyone who can reach the port can read the log and, with the secret, join.")
    var insecure = false

    @Option(help: "Journal codec.")
    var codec: CodecArgument = .lz4

    @Flag(
        name: .customLong("new-cluster"),
        help: """
            This data directory is being set up for a cluster created now, so an empty one is \
            expected. Only for a member's first start (`cluster start` prepares its directories \
            itself). Without it, a node that finds its data directory empty assumes it lost its \
            state and does not vote until it has rebuilt it from a majority of the others.
            """)
    var newCluster = false

    @Flag(
        help: """
            This empty data directory is for a member joining a running cluster: one added with \
            `paxoslog cluster add`, which starts as a learner, catches up, and votes once \
            promoted. Like --new-cluster, only for its first start.
            """)
    var join = false

    @Option(name: .customLong("pid-file"), help: "Write this process's pid here while it runs.")
    var pidFile: String?

    @Option(name: .customLong("heartbeat-ms"), help: "Leader heartbeat period in milliseconds.")
    var heartbeatMilliseconds: Int = 100

    @Option(
        name: .customLong("election-timeout-ms"),
        help: "Election timeout in milliseconds (randomized up to twice this).")
    var electionTimeoutMilliseconds: Int = 1000

    @OptionGroup var storage: NodeStorageOptions

    @OptionGroup var logging: NodeLoggingOptions

    @Option(
        name: .customLong("metrics-listen"),
        help: ArgumentHelp(
            "Serve GET /metrics (Prometheus text format) and GET /health over HTTP here (off by default).",
            valueName: "tcp:HOST:PORT"), transform: AddressArgument.parse)
    var metricsListen: TransportAddress?

    func validate() throws {
        guard id >= 1 else { throw ValidationError("--id must be 1 or more") }
        if let clusterID, UInt64(clusterID, radix: 16) == nil {
            throw ValidationError("--cluster-id must be hexadecimal")
        }
        guard heartbeatMilliseconds > 0, electionTimeoutMilliseconds > 2 * heartbeatMilliseconds else {
            throw ValidationError("the election timeout must be more than twice the heartbeat period")
        }
        if insecure && tlsDirectory != nil { throw ValidationError("give --tls-dir or --insecure, not both") }
        _ = try metricsAddress()
        if config != nil {
            guard peers.isEmpty, clusterID == nil, secretFile == nil else {
                throw ValidationError(
                    "--peer, --cluster-id and --secret-file come from the cluster file: leave them out with --config")
            }
            return
        }
        _ = try settingsFromFlags()
    }

    /// `--metrics-listen`, if given: TCP only (it is HTTP).
    private func metricsAddress() throws -> TransportAddress? {
        guard let metricsListen else { return nil }
        guard case .tcp = metricsListen else { throw ValidationError("--metrics-listen must be tcp:HOST:PORT") }
        return metricsListen
    }

    /// The settings without a cluster file: --dir, --listen and --secret-file are required.
    private func settingsFromFlags() throws -> NodeSettings {
        guard let dir, let listen, let secretFile else {
            throw ValidationError(
                "give --dir, --listen and --secret-file (or --config FILE, a cluster file from 'paxoslog cluster init')"
            )
        }
        let settings = NodeSettings(
            dataDirectory: dir, listen: listen, peers: try parsePeers(),
            clusterID: clusterID.flatMap { UInt64($0, radix: 16) } ?? 0, secretFile: secretFile,
            tlsDirectory: tlsDirectory, insecure: insecure)
        if settings.usesTCP && tlsDirectory == nil && !insecure {
            throw ValidationError(
                "node \(id) uses TCP, which needs mutual TLS: give --tls-dir DIR (ca.pem, node-\(id).pem, node-\(id)-key.pem from 'paxoslog certs create'), or --insecure for plain TCP"
            )
        }
        return settings
    }

    /// This node's TLS material, checked to name this node.
    private func loadSecurity(_ settings: NodeSettings) throws -> TransportSecurity? {
        guard let tlsDirectory = settings.tlsDirectory else { return nil }
        do {
            return try TransportSecurity.load(directory: tlsDirectory, identity: .node(id))
        } catch {
            throw CLIError("node \(id): \(error)")
        }
    }

    private func parsePeers() throws -> [NodeID: TransportAddress] {
        var result: [NodeID: TransportAddress] = [:]
        for (peerID, address) in try MemberArgument.parse(peers, option: "--peer") {
            guard peerID != id else { throw ValidationError("--peer \(peerID) is this node's own id") }
            result[NodeID(peerID)] = address
        }
        return result
    }

    func run() async throws {
        let settings =
            if let config {
                try NodeSettings.fromClusterFile(
                    config, id: id, listen: listen, dataDirectory: dir, tlsDirectory: tlsDirectory,
                    insecure: insecure)
            } else {
                try settingsFromFlags()
            }
        let dir = settings.dataDirectory
        let secret: ClusterSecret
        do {
            secret = try ClusterSecret.load(from: settings.secretFile)
        } catch {
            throw CLIError("node \(id): \(error)")
        }
        let logger = LoggingSetup.bootstrap(
            label: "paxoslog.node\(id)", format: logging.format, level: logging.level?.level, node: id)
        var options = JournalOptions()
        options.codec = codec.codec
        options.segmentSize = storage.segmentMiB << 20
        var configuration = NodeConfiguration(
            id: NodeID(id), dataDirectory: dir, listen: settings.listen, peers: settings.peers,
            clusterID: settings.clusterID, secret: secret, journalOptions: options,
            heartbeatPeriod: .milliseconds(heartbeatMilliseconds),
            electionTimeout: .milliseconds(electionTimeoutMilliseconds))
        // A member that never ran has made no promise to forget: its empty directory is expected.
        configuration.isNewCluster = newCluster || join
        configuration.learners = settings.learners
        configuration.metricsListen = try metricsAddress()
        configuration.checkpointInterval = storage.checkpointInterval
        configuration.retention = storage.retention
        configuration.transportSecurity = try loadSecurity(settings)
        if settings.insecure && settings.usesTCP {
            logger.warning("node \(id): --insecure: TCP connections are plaintext, readable by anyone on the path")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError("cannot create the data directory \(dir): \(error.localizedDescription)")
        }
        if let socketDirectory = configuration.listen.unixSocketDirectory {
            chmod(socketDirectory, 0o700)
        }

        let server: NodeServer
        do {
            server = try await NodeServer.start(configuration: configuration, logger: logger)
        } catch {
            throw CLIError("node \(id): \(error)")
        }
        if let pidFile {
            try PidFile.write(getpid(), to: pidFile)
        }
        let pidPath = pidFile
        let signals = SignalWatcher(signals: [SIGTERM, SIGINT]) { signal in
            logger.info("received signal \(signal)")
            // Everything acknowledged is already on disk, so if a clean shutdown stalls, leaving
            // without it loses nothing; `cluster stop` should not have to reach for SIGKILL.
            DispatchQueue.global().asyncAfter(deadline: .now() + 5) {
                logger.warning("clean shutdown did not finish within 5 s; exiting now")
                if let pidPath { PidFile.remove(pidPath, ifOwnedBy: getpid()) }
                _exit(0)
            }
            Task { await server.shutdown() }
        }
        var failure: Error?
        do {
            try await server.waitUntilStopped()
        } catch {
            failure = error
        }
        signals.cancel()
        await server.shutdown()
        if let pidFile {
            PidFile.remove(pidFile, ifOwnedBy: getpid())
        }
        if let failure {
            throw CLIError("node \(id) stopped: \(failure)")
        }
        logger.info("node \(id) stopped", metadata: ["event": "node_stopped"])
    }
}

extension TransportAddress {
    /// The directory holding a Unix socket (made 0700), nil for TCP.
    var unixSocketDirectory: String? {
        guard case .unix(let path) = self else { return nil }
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? nil : directory
    }
}
