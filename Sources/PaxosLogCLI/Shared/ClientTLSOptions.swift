import ArgumentParser
import Foundation
import PaxosCertificates
import PaxosLogClient
import PaxosTransport

/// `--tls-dir`, `--client` and `--insecure`, shared by the commands that talk to a cluster.
///
/// Nodes reached over TCP speak mutual TLS, so a client must present a client certificate from
/// the cluster's CA; plain TCP only with `--insecure`, given to the nodes and the client alike.
/// Nodes on Unix sockets need neither (the socket's permissions guard them).
struct ClientTLSOptions: ParsableArguments {
    @Option(
        name: .customLong("tls-dir"),
        help: ArgumentHelp(
            "Directory with ca.pem and this client's certificate (client-NAME.pem, client-NAME-key.pem), for nodes reached over TCP (default: the cluster file's tls_dir).",
            valueName: "dir"))
    var tlsDirectory: String?

    @Option(
        name: .customLong("client"),
        help: ArgumentHelp(
            "Which client certificate in --tls-dir (or the cluster file's tls_dir) to present (default: the only client-*.pem there).",
            valueName: "name"))
    var clientName: String?

    @Flag(help: "Talk plain TCP to nodes that were started with --insecure (no TLS: anyone on the path can read).")
    var insecure = false

    func validate() throws {
        if insecure && tlsDirectory != nil { throw ValidationError("give --tls-dir or --insecure, not both") }
        if let clientName {
            do { try CertificateIdentity.validateClientName(clientName) } catch {
                throw ValidationError("--client: \(error)")
            }
        }
    }

    /// Gives `description` this client's TLS material, or refuses a cluster with TCP members when
    /// there is neither `--tls-dir` nor `--insecure`. A cluster file's `tls_dir` (or `insecure`)
    /// stands in for the flags when none is given.
    ///
    /// - Throws: `CLIError` saying what to pass (exit 64), or naming the file that is unusable.
    func apply(to description: inout ClusterDescription) throws {
        let tcpNodes = description.nodes.filter { node in
            guard let address = description.address(of: node.id), case .tcp = address else { return false }
            return true
        }
        let fromFile = insecure || tcpNodes.isEmpty ? nil : description.resolvedTLSDirectory
        let insecure = self.insecure || (tlsDirectory == nil && fromFile == nil && description.insecure == true)
        guard let tlsDirectory = tlsDirectory ?? fromFile else {
            if clientName != nil {
                throw CLIError("--client needs --tls-dir, or a cluster file that names its tls_dir", exitCode: 64)
            }
            if let first = tcpNodes.first, !insecure {
                let address = description.address(of: first.id).map { "\($0)" } ?? "TCP"
                throw CLIError(
                    "node \(first.id) is reached over TCP (\(address)), which needs mutual TLS: give --tls-dir DIR "
                        + "(with ca.pem and a client certificate from 'paxoslog certs create --client NAME') "
                        + "or --insecure for nodes started with --insecure",
                    exitCode: 64)
            }
            return
        }
        let name = try clientName ?? Self.onlyClient(in: tlsDirectory)
        description.security = try TransportSecurity.load(directory: tlsDirectory, identity: .client(name))
    }

    /// The NAME of the one `client-NAME.pem` in `directory`.
    static func onlyClient(in directory: String) throws -> String {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let names = files.filter { $0.hasPrefix("client-") && $0.hasSuffix(".pem") && !$0.hasSuffix("-key.pem") }
            .map { String($0.dropFirst(7).dropLast(4)) }.sorted()
        guard names.count == 1, let name = names.first else {
            throw CLIError(
                names.isEmpty
                    ? "no client certificate (client-NAME.pem) in \(directory): make one with 'paxoslog certs create --client NAME'"
                    : "\(directory) holds several client certificates (\(names.joined(separator: ", "))): choose one with --client NAME",
                exitCode: 64)
        }
        return name
    }
}

extension ClientTLSOptions {
    /// A client of the cluster at `cluster` (a directory or a cluster file), with these TLS
    /// options applied: what every client command starts with.
    func client(of cluster: String) throws -> PaxosLogClient {
        var description = try ClusterDescription.load(from: cluster)
        try apply(to: &description)
        return PaxosLogClient(cluster: description)
    }
}
