import Foundation
import PaxosTransport

/// A cluster's description: its id, its members and where they listen, where its secret and TLS
/// material are, and for members run on this machine by `cluster start`, how to restart them.
///
/// Two forms, one format: `DIR/cluster.json`, written by `cluster start` for a local cluster of
/// Unix-socket nodes (every member has `socket`, `dir`, `pid` and `argv`), and a cluster file
/// written by `cluster init` for any topology (members have an `address`, `tcp:HOST:PORT`, and the
/// keys that only make sense on the machine that runs a node are left out). Relative paths in it
/// (`secret_file`, `tls_dir`) are relative to the directory that holds it.
public struct ClusterDescription: Codable, Hashable, Sendable {
    /// One member.
    public struct Node: Codable, Hashable, Sendable {
        public var id: UInt32
        /// The pid when it was last started by `cluster start` (the pid file is authoritative);
        /// absent for members not started from here.
        public var pid: Int32?
        /// Its Unix socket path, for a member on this machine.
        public var socket: String?
        /// Its data directory, when known here (a member of a local cluster, or one a cluster
        /// file gives a directory).
        public var dir: String?
        /// The exact command that runs this node in the foreground, for members `cluster start`
        /// runs.
        public var argv: [String]?
        /// Where peers and clients reach the node: `tcp:HOST:PORT` (or `unix:PATH`). Without it,
        /// the node is reached at its `socket`.
        public var address: String?
        /// Where the node serves `GET /metrics` and `GET /health` over HTTP (`tcp:HOST:PORT`), when
        /// it does (`cluster start` turns it on for the nodes it creates).
        public var metrics: String?
        /// False for a learner (`cluster add`, not yet promoted); absent for a voter.
        public var voter: Bool?

        /// Whether the member votes (a learner does not).
        public var isVoter: Bool { voter ?? true }

        public init(
            id: UInt32, pid: Int32? = nil, socket: String? = nil, dir: String? = nil, argv: [String]? = nil,
            address: String? = nil, metrics: String? = nil, voter: Bool? = nil
        ) {
            self.voter = voter
            self.id = id
            self.pid = pid
            self.socket = socket
            self.dir = dir
            self.argv = argv
            self.address = address
            self.metrics = metrics
        }
    }

    /// Connections must present this id (hex); it keeps two clusters' nodes from talking.
    public var clusterID: String
    public var nodes: [Node]
    /// Where the cluster secret is (`secret_file`; relative paths are relative to the cluster
    /// directory). Absent: `cluster.secret` beside `cluster.json`.
    public var secretFile: String?
    /// The cluster secret every connection proves it holds; ``load(from:)`` reads it from
    /// `secretFile`. Never written to `cluster.json`.
    public var secret: ClusterSecret?
    /// The directory of the cluster's TLS material (`tls_dir`: ca.pem, and on each machine its
    /// own node-K or client-NAME pair), for members reached over TCP; relative paths are relative
    /// to the directory holding the description.
    public var tlsDirectory: String?
    /// The members were started with `--insecure`: plain TCP, no TLS (`insecure`).
    public var insecure: Bool?
    /// This client's TLS material, for nodes reached over TCP; nil for plain TCP. Set by the
    /// caller (`--tls-dir`, or `tls_dir`), never read from or written to the description.
    public var security: TransportSecurity?
    /// The directory holding the description, against which its relative paths are resolved;
    /// set by ``load(from:)``, never written.
    public var baseDirectory: String?

    enum CodingKeys: String, CodingKey {
        case clusterID = "cluster_id"
        case nodes
        case secretFile = "secret_file"
        case tlsDirectory = "tls_dir"
        case insecure
    }

    public init(
        clusterID: UInt64, nodes: [Node], secretFile: String? = nil, secret: ClusterSecret? = nil,
        tlsDirectory: String? = nil, insecure: Bool? = nil
    ) {
        self.clusterID = String(clusterID, radix: 16)
        self.nodes = nodes
        self.secretFile = secretFile
        self.secret = secret
        self.tlsDirectory = tlsDirectory
        self.insecure = insecure
    }

    /// The cluster id as a number.
    public var clusterIDValue: UInt64 { UInt64(clusterID, radix: 16) ?? 0 }

    /// Where node `id` listens: its `address` if given, else its Unix socket; nil for a node that
    /// is not a member or has neither (``load(from:)`` refuses such a description).
    public func address(of id: UInt32) -> TransportAddress? {
        guard let node = nodes.first(where: { $0.id == id }) else { return nil }
        if let address = node.address, let parsed = try? TransportAddress(parsing: address) {
            return parsed
        }
        return node.socket.map { .unix(path: $0) }
    }

    /// `tls_dir` resolved against the description's directory.
    public var resolvedTLSDirectory: String? {
        guard let tlsDirectory, !tlsDirectory.isEmpty else { return nil }
        return tlsDirectory.hasPrefix("/") ? tlsDirectory : (baseDirectory ?? ".") + "/" + tlsDirectory
    }

    /// The path of `cluster.json` in a cluster directory.
    public static func path(in directory: String) -> String { directory + "/cluster.json" }

    /// The default path of the cluster secret in a cluster directory.
    public static func secretPath(in directory: String) -> String { directory + "/cluster.secret" }

    /// Where this cluster's secret is, for the cluster in `directory`.
    public func secretPath(in directory: String) -> String {
        guard let secretFile, !secretFile.isEmpty else { return Self.secretPath(in: directory) }
        return secretFile.hasPrefix("/") ? secretFile : directory + "/" + secretFile
    }

    /// Reads a cluster description and the cluster secret it names (by default `cluster.secret`
    /// beside it): `location` is a cluster directory (its `cluster.json`) or a cluster file.
    ///
    /// - Throws: `ClientError` when either is missing or unusable (a secret file must be 32 bytes,
    ///   mode 0600), or when a member has no address, an address that does not parse, or an id
    ///   given twice.
    public static func load(from location: String) throws(ClientError) -> ClusterDescription {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: location, isDirectory: &isDirectory)
        let isFile = exists && !isDirectory.boolValue
        let path = isFile ? location : path(in: location)
        let directory = isFile ? (location as NSString).deletingLastPathComponent : location
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClientError(
                "no cluster at \(location): \(path) does not exist (start a local one with 'paxoslog cluster start --dir DIR', or describe one with 'paxoslog cluster init --out FILE')"
            )
        }
        var description: ClusterDescription
        do {
            description = try JSONDecoder().decode(ClusterDescription.self, from: data)
        } catch {
            throw ClientError("\(path) is not a valid cluster description: \(Self.describe(error))")
        }
        description.baseDirectory = directory.isEmpty ? "." : directory
        try description.checkMembers(path: path)
        do {
            description.secret = try ClusterSecret.load(
                from: description.secretPath(in: description.baseDirectory ?? "."))
        } catch {
            throw ClientError("cannot use the cluster at \(location): \(error)")
        }
        return description
    }

    /// Every member has one id and an address to reach it at.
    func checkMembers(path: String) throws(ClientError) {
        guard !nodes.isEmpty else { throw ClientError("\(path) names no nodes") }
        var seen = Set<UInt32>()
        for node in nodes {
            guard node.id >= 1, seen.insert(node.id).inserted else {
                throw ClientError("\(path): node id \(node.id) is \(node.id == 0 ? "not 1 or more" : "given twice")")
            }
            if let address = node.address {
                do { _ = try TransportAddress(parsing: address) } catch {
                    throw ClientError("\(path): node \(node.id)'s address: \(error)")
                }
            } else if node.socket == nil {
                throw ClientError("\(path): node \(node.id) has neither an 'address' nor a 'socket'")
            }
        }
    }

    /// The secret, or the error to report when the description was made without one.
    func requireSecret() throws(ClientError) -> ClusterSecret {
        guard let secret else {
            throw ClientError(
                "no cluster secret: load the cluster with ClusterDescription.load(from:) or set its secret")
        }
        return secret
    }

    /// A JSON decoding failure in words ("missing key 'cluster_id' in nodes[1]"), not the
    /// decoder's debug dump.
    static func describe(_ error: Error) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.reduce("") { text, key in
                key.intValue.map { text + "[\($0)]" } ?? (text.isEmpty ? key.stringValue : text + "." + key.stringValue)
            }
        }
        func place(_ keys: [CodingKey]) -> String { keys.isEmpty ? "" : " in \(path(keys))" }
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .keyNotFound(let key, let context):
            return "missing key '\(key.stringValue)'\(place(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context.codingPath))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not JSON" : "bad value at \(path(context.codingPath))"
        @unknown default:
            return "\(error)"
        }
    }

    /// Writes `DIR/cluster.json` atomically (temporary file, then rename).
    public func save(in directory: String) throws {
        try save(toFile: Self.path(in: directory))
    }

    /// Writes the description to `path` atomically (temporary file, then rename).
    public func save(toFile path: String) throws {
        try encodedJSON().write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The description as its JSON file holds it: sorted keys, indented, absent keys left out.
    public func encodedJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
