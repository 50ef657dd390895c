import ArgumentParser
import Foundation
import PaxosCertificates
import PaxosLogClient
import PaxosTransport

/// `paxoslog cluster init`: a cluster file for members on any hosts.
struct ClusterInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a cluster file: the cluster id, the members and their addresses, the secret and TLS paths.",
        discussion: """
            The file is what every machine needs to know about the cluster: copy it (with the \
            secret and the TLS material it names) to each host. A member runs from it with \
            `paxoslog node --config FILE --id K --data DIR` (add --new-cluster on its very first \
            start), and every client command takes it as --cluster FILE.

            The cluster secret is --secret-file, by default cluster.secret beside FILE; it is made \
            (32 random bytes, mode 0600) when missing, and kept when present. Over TCP give \
            --tls-dir, the directory `paxoslog certs create` wrote (ca.pem, node-K.pem and \
            node-K-key.pem for each member, client-NAME.pem for clients), at the same path on every \
            host; or --insecure for plain TCP.

            Example:
              paxoslog certs create --out /etc/paxoslog/tls --node 1 --node 2 --node 3 --client ops
              paxoslog cluster init --out /etc/paxoslog/cluster.json --tls-dir /etc/paxoslog/tls \\
                --node 1=tcp:10.0.0.1:7000 --node 2=tcp:10.0.0.2:7000 --node 3=tcp:10.0.0.3:7000
            """
    )

    @Option(help: ArgumentHelp("The cluster file to write (never overwritten).", valueName: "file"))
    var out: String

    @Option(name: .customLong("node"), help: "A member as K=tcp:HOST:PORT (or K=unix:PATH); repeat for each.")
    var nodes: [String] = []

    @Option(
        name: .customLong("tls-dir"),
        help: ArgumentHelp("The cluster's TLS material (from 'paxoslog certs create'), for TCP.", valueName: "dir"))
    var tlsDirectory: String?

    @Flag(help: "Members and clients talk plain TCP (no TLS: anyone on the path can read).")
    var insecure = false

    @Option(
        name: .customLong("secret-file"),
        help: ArgumentHelp(
            "The cluster secret (default: cluster.secret beside the file; made if missing).",
            valueName: "path"))
    var secretFile: String?

    @Option(name: .customLong("cluster-id"), help: "The cluster's id in hex (default: random).")
    var clusterID: String?

    func validate() throws {
        guard !nodes.isEmpty else { throw ValidationError("give each member with --node K=tcp:HOST:PORT") }
        let members = try MemberArgument.parse(nodes, option: "--node")
        if insecure && tlsDirectory != nil { throw ValidationError("give --tls-dir or --insecure, not both") }
        if let tcp = members.first(where: { $0.address.isTCP }), tlsDirectory == nil, !insecure {
            throw ValidationError(
                "node \(tcp.id) is on TCP, which needs mutual TLS: give --tls-dir DIR (from 'paxoslog certs create --out DIR --node K ...'), or --insecure for plain TCP"
            )
        }
        if let clusterID, UInt64(clusterID, radix: 16) == nil || UInt64(clusterID, radix: 16) == 0 {
            throw ValidationError("--cluster-id must be a non-zero hexadecimal number")
        }
    }

    func run() async throws {
        let file = URL(fileURLWithPath: out).standardizedFileURL.path
        let directory = (file as NSString).deletingLastPathComponent
        let members = try MemberArgument.parse(nodes, option: "--node").sorted { $0.id < $1.id }
        guard !FileManager.default.fileExists(atPath: file) else {
            throw CLIError("\(file) already exists; refusing to overwrite it (choose another --out, or remove it)")
        }
        let tls = tlsDirectory.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        if let tls { try Self.checkMaterial(in: tls, for: members.map(\.id)) }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create \(directory): \(error.localizedDescription)")
        }
        let secretPath =
            secretFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            ?? ClusterDescription.secretPath(in: directory)
        if FileManager.default.fileExists(atPath: secretPath) {
            _ = try ClusterSecret.load(from: secretPath)
        } else {
            try ClusterSecret.random().write(to: secretPath)
            Output.note("wrote a new cluster secret to \(secretPath): copy it to every host, privately")
        }
        let id = clusterID.flatMap { UInt64($0, radix: 16) } ?? UInt64.random(in: 1...UInt64.max)
        let description = ClusterDescription(
            clusterID: id,
            nodes: members.map { ClusterDescription.Node(id: $0.id, address: "\($0.address)") },
            secretFile: secretPath == ClusterDescription.secretPath(in: directory) ? "cluster.secret" : secretPath,
            tlsDirectory: tls, insecure: insecure ? true : nil)
        do {
            try NewFile.write(
                String(decoding: try description.encodedJSON(), as: UTF8.self) + "\n", to: file, mode: 0o644)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("cannot write \(file): \(error)")
        }
        Output.line(file)
    }

    /// The CA and every member's certificate are where the file will say: a typo found now, not
    /// on each host at its first start.
    static func checkMaterial(in directory: String, for ids: [UInt32]) throws {
        let names =
            [CertificateFileNames.authorityCertificate] + ids.map { CertificateFileNames.certificate(of: .node($0)) }
        let missing = names.filter { !FileManager.default.fileExists(atPath: directory + "/" + $0) }
        guard missing.isEmpty else {
            throw CLIError(
                "\(directory) lacks \(missing.joined(separator: ", ")): make the material with 'paxoslog certs create --out \(directory) \(ids.map { "--node \($0)" }.joined(separator: " ")) --client NAME'"
            )
        }
    }
}
