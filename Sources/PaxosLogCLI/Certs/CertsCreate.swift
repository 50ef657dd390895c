import ArgumentParser
import Foundation
import PaxosCertificates

/// `paxoslog certs create`: a cluster CA and a certificate for each node and client.
struct CertsCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Make a cluster CA and a certificate and key for each node and client.",
        discussion: """
            Nodes reached over TCP speak mutual TLS: each presents a certificate signed by the \
            cluster's own CA and checks the other side's. This makes that CA (a P-256 ECDSA key and \
            a self-signed certificate) and, signed by it, one certificate and key per --node and \
            per --client, all in --out:

              ca.pem, ca-key.pem                the CA (keep ca-key.pem off the nodes)
              node-K.pem, node-K-key.pem        node K, named paxoslog:node:K
              client-NAME.pem, ...-key.pem      client NAME, named paxoslog:client:NAME

            A node's certificate names its id, and is checked: a peer dialling node 3 refuses any \
            certificate but node 3's, and a node accepts a peer's hello only with the certificate \
            of the node it claims to be. Keys are written mode 0600; existing files are never \
            overwritten. The directory is made 0700 if it does not exist.

            Give each machine ca.pem and its own pair, in a directory passed as --tls-dir:
              paxoslog node --id 1 --tls-dir DIR --listen tcp:10.0.0.1:7001 ...
              paxoslog append --cluster C --tls-dir DIR --client ops entry

            Example:
              paxoslog certs create --out /etc/paxoslog/tls \\
                --node 1 --node 2 --node 3 --client ops
            """
    )

    @Option(help: ArgumentHelp("Directory to write the files to (made 0700 if missing).", valueName: "dir"))
    var out: String

    @Option(
        name: .customLong("node"), help: ArgumentHelp("A node id to make a certificate for (repeat).", valueName: "id"))
    var nodes: [UInt32] = []

    @Option(
        name: .customLong("client"),
        help: ArgumentHelp(
            "A client name to make a certificate for (repeat; letters, digits, . _ -).", valueName: "name"))
    var clients: [String] = []

    @Option(help: "Days the certificates (and the CA) stay valid.")
    var days: Int = 365

    func validate() throws {
        guard !nodes.isEmpty else { throw ValidationError("give at least one --node ID") }
        guard nodes.allSatisfy({ $0 >= 1 }) else { throw ValidationError("node ids start at 1") }
        guard Set(nodes).count == nodes.count else { throw ValidationError("a --node is given twice") }
        guard Set(clients).count == clients.count else { throw ValidationError("a --client is given twice") }
        for client in clients {
            do { try CertificateIdentity.validateClientName(client) } catch {
                throw ValidationError("--client: \(error)")
            }
        }
        guard (1...36_500).contains(days) else { throw ValidationError("--days must be from 1 to 36500") }
    }

    func run() throws {
        let identities = nodes.map { CertificateIdentity.node($0) } + clients.map { CertificateIdentity.client($0) }
        let directory = URL(fileURLWithPath: out).standardizedFileURL.path
        let paths = identities.flatMap {
            [CertificateFileNames.certificate(of: $0), CertificateFileNames.privateKey(of: $0)]
        }
        let all = [CertificateFileNames.authorityCertificate, CertificateFileNames.authorityPrivateKey] + paths
        // Refuse before writing anything: a half-replaced set would mix two CAs.
        for name in all where FileManager.default.fileExists(atPath: directory + "/" + name) {
            throw CLIError(
                "\(directory)/\(name) already exists; refusing to overwrite it (choose another --out, or remove the old files)"
            )
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError("cannot create \(directory): \(error.localizedDescription)")
        }
        let now = Date()
        let from = now.addingTimeInterval(-ClusterCertificateAuthority.clockSkewAllowance)
        let until = now.addingTimeInterval(TimeInterval(days) * 86_400)
        let authority = try ClusterCertificateAuthority.create(validFrom: from, validUntil: until)
        var written: [String] = []
        func save(_ issued: IssuedCertificate, certificate: String, key: String) throws {
            try NewFile.write(issued.privateKeyPEM, to: directory + "/" + key, mode: 0o600)
            try NewFile.write(try issued.certificatePEM(), to: directory + "/" + certificate, mode: 0o644)
            written += [directory + "/" + certificate, directory + "/" + key]
        }
        try save(
            authority.issued, certificate: CertificateFileNames.authorityCertificate,
            key: CertificateFileNames.authorityPrivateKey)
        for identity in identities {
            try save(
                try authority.issue(for: identity, validFrom: from, validUntil: until),
                certificate: CertificateFileNames.certificate(of: identity),
                key: CertificateFileNames.privateKey(of: identity))
        }
        Output.write(written.map { $0 + "\n" }.joined())
    }
}
