import Foundation
import PaxosTransport

/// `DIR/cluster.json`: the members of a local cluster, where they listen and how to restart them.
public struct ClusterDescription: Codable, Hashable, Sendable {
    /// One member.
    public struct Node: Codable, Hashable, Sendable {
        public var id: UInt32
        /// The pid when it was last started by `cluster start` (the pid file is authoritative).
        public var pid: Int32
        /// Its Unix socket path.
        public var socket: String
        /// Its data directory.
        public var dir: String
        /// The exact command that runs this node in the foreground.
        public var argv: [String]
        /// Where clients reach the node when it is not the local socket: `tcp:HOST:PORT` for a
        /// cluster spread over several machines (written by hand; `cluster start` leaves it out).
        public var address: String?

        public init(id: UInt32, pid: Int32, socket: String, dir: String, argv: [String], address: String? = nil) {
            self.id = id
            self.pid = pid
            self.socket = socket
            self.dir = dir
            self.argv = argv
            self.address = address
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
    /// This client's TLS material, for nodes reached over TCP; nil for plain TCP. Set by the
    /// caller (`--tls-dir`), never read from or written to `cluster.json`.
    public var security: TransportSecurity?

    enum CodingKeys: String, CodingKey {
        case clusterID = "cluster_id"
        case nodes
        case secretFile = "secret_file"
    }

    public init(clusterID: UInt64, nodes: [Node], secretFile: String? = nil, secret: ClusterSecret? = nil) {
        self.clusterID = String(clusterID, radix: 16)
        self.nodes = nodes
        self.secretFile = secretFile
        self.secret = secret
    }

    /// The cluster id as a number.
    public var clusterIDValue: UInt64 { UInt64(clusterID, radix: 16) ?? 0 }

    /// Where node `id` listens: its `address` if given, else its Unix socket.
    public func address(of id: UInt32) -> TransportAddress? {
        guard let node = nodes.first(where: { $0.id == id }) else { return nil }
        if let address = node.address, let parsed = try? TransportAddress(parsing: address) {
            return parsed
        }
        return .unix(path: node.socket)
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

    /// Reads `DIR/cluster.json` and the cluster secret it names (by default `DIR/cluster.secret`).
    ///
    /// - Throws: `ClientError` when either is missing or unusable (a secret file must be 32 bytes,
    ///   mode 0600).
    public static func load(from directory: String) throws(ClientError) -> ClusterDescription {
        let path = path(in: directory)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClientError(
                "no cluster at \(directory): \(path) does not exist (start one with 'paxoslog cluster start --dir \(directory)')"
            )
        }
        var description: ClusterDescription
        do {
            description = try JSONDecoder().decode(ClusterDescription.self, from: data)
        } catch {
            throw ClientError("\(path) is not a valid cluster description: \(Self.describe(error))")
        }
        do {
            description.secret = try ClusterSecret.load(from: description.secretPath(in: directory))
        } catch {
            throw ClientError("cannot use the cluster at \(directory): \(error)")
        }
        return description
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(self)
        try data.write(to: URL(fileURLWithPath: Self.path(in: directory)), options: .atomic)
    }
}
