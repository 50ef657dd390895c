import Foundation
import PaxosCore
import PaxosLogClient
import PaxosTransport

/// Where a node listens, whom it dials and with what credentials: from `paxoslog node`'s flags, or
/// from a cluster file (`--config`) with the flags as overrides.
struct NodeSettings {
    var dataDirectory: String
    var listen: TransportAddress
    var peers: [NodeID: TransportAddress]
    /// Members the cluster file lists as learners.
    var learners: Set<NodeID> = []
    var clusterID: UInt64
    var secretFile: String
    /// ca.pem and node-K's pair; nil for Unix sockets or plain TCP.
    var tlsDirectory: String?
    var insecure: Bool

    /// Whether the node listens on or dials any TCP address.
    var usesTCP: Bool { ([listen] + peers.values).contains { $0.isTCP } }

    /// Member `id` of the cluster file at `path`.
    ///
    /// - Parameters:
    ///   - listen: where to bind instead of the member's address (`tcp:0.0.0.0:PORT`); peers still
    ///     dial the address in the file.
    ///   - dataDirectory: instead of the member's `dir` in the file (one of them is needed).
    ///   - tlsDirectory: instead of the file's `tls_dir`.
    ///   - insecure: plain TCP even if the file names a `tls_dir`.
    /// - Throws: `CLIError` naming the file: unreadable, not a member, no data directory, TCP
    ///   without TLS material.
    static func fromClusterFile(
        _ path: String, id: UInt32, listen: TransportAddress?, dataDirectory: String?, tlsDirectory: String?,
        insecure: Bool
    ) throws -> NodeSettings {
        let description: ClusterDescription
        do {
            description = try ClusterDescription.load(from: path)
        } catch {
            throw CLIError("node \(id): \(error)")
        }
        guard let member = description.nodes.first(where: { $0.id == id }), let address = description.address(of: id)
        else {
            throw CLIError(
                "node \(id) is not a member in \(path) (its members: \(description.nodes.map { String($0.id) }.joined(separator: ", ")))",
                exitCode: 64)
        }
        var peers: [NodeID: TransportAddress] = [:]
        for node in description.nodes where node.id != id {
            peers[NodeID(node.id)] = description.address(of: node.id)
        }
        guard let data = dataDirectory ?? member.dir else {
            throw CLIError("give --data DIR: \(path) names no data directory ('dir') for node \(id)", exitCode: 64)
        }
        let insecure = insecure || (tlsDirectory == nil && description.insecure == true)
        var settings = NodeSettings(
            dataDirectory: data, listen: listen ?? address, peers: peers, clusterID: description.clusterIDValue,
            secretFile: description.secretPath(in: description.baseDirectory ?? "."),
            tlsDirectory: insecure ? nil : tlsDirectory ?? description.resolvedTLSDirectory, insecure: insecure)
        settings.learners = Set(description.nodes.filter { !$0.isVoter }.map { NodeID($0.id) })
        if settings.usesTCP && settings.tlsDirectory == nil && !settings.insecure {
            throw CLIError(
                "node \(id) uses TCP, which needs mutual TLS, and \(path) names no tls_dir: give --tls-dir DIR, or write the file again with 'cluster init --tls-dir DIR'",
                exitCode: 64)
        }
        return settings
    }
}
