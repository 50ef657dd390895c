/// The file names `paxoslog certs create` writes and nodes and clients read, all in one directory
/// (`--tls-dir`). One place for them, so the writer and the readers cannot drift apart.
public enum CertificateFileNames {
    /// The cluster CA's certificate: every node and client needs it.
    public static let authorityCertificate = "ca.pem"
    /// The cluster CA's private key: needed only to issue more certificates; keep it off the nodes.
    public static let authorityPrivateKey = "ca-key.pem"

    /// `node-3.pem` or `client-alice.pem`.
    public static func certificate(of identity: CertificateIdentity) -> String { "\(stem(identity)).pem" }

    /// `node-3-key.pem` or `client-alice-key.pem`.
    public static func privateKey(of identity: CertificateIdentity) -> String { "\(stem(identity))-key.pem" }

    private static func stem(_ identity: CertificateIdentity) -> String {
        switch identity {
        case .node(let id): return "node-\(id)"
        case .client(let name): return "client-\(name)"
        }
    }
}
