import X509

/// Who holds a cluster certificate: node K, or the client called NAME.
///
/// The identity is written into the certificate twice: as a subject alternative name URI
/// (`paxoslog:node:3`, `paxoslog:client:alice`), which is what the transport checks, and as the
/// common name (`paxoslog node 3`), which is what a person reading `openssl x509 -text` sees. A URI
/// rather than a DNS name because a node's certificate names the member, not a host: the member may
/// move to another machine and keep its certificate.
public enum CertificateIdentity: Hashable, Sendable, CustomStringConvertible {
    case node(UInt32)
    case client(String)

    /// The URI scheme and prefix every paxoslog identity starts with.
    public static let uriPrefix = "paxoslog:"

    /// The longest client name: it becomes part of a file name and of log lines.
    public static let maximumClientNameLength = 64

    /// Checks that `name` can name a client: 1 to 64 of `A-Z a-z 0-9 . _ -`, not starting with a
    /// dot (it becomes a file name, `client-NAME.pem`, and must not escape the directory).
    public static func validateClientName(_ name: String) throws(CertificateError) {
        let allowed = name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard !name.isEmpty, name.utf8.count <= maximumClientNameLength, allowed, !name.hasPrefix(".") else {
            throw CertificateError(
                .invalidName,
                "'\(name)' cannot name a client: use 1 to \(maximumClientNameLength) letters, digits, '.', '_' or '-' (not starting with '.')"
            )
        }
    }

    /// `paxoslog:node:3` or `paxoslog:client:alice`.
    public var uri: String {
        switch self {
        case .node(let id): return "\(Self.uriPrefix)node:\(id)"
        case .client(let name): return "\(Self.uriPrefix)client:\(name)"
        }
    }

    /// `paxoslog node 3` or `paxoslog client alice`.
    public var commonName: String {
        switch self {
        case .node(let id): return "paxoslog node \(id)"
        case .client(let name): return "paxoslog client \(name)"
        }
    }

    /// "node 3" or "client alice", for log lines.
    public var description: String {
        switch self {
        case .node(let id): return "node \(id)"
        case .client(let name): return "client \(name)"
        }
    }

    /// Parses `paxoslog:node:K` (K ≥ 1) or `paxoslog:client:NAME`; nil for anything else.
    public init?(uri: String) {
        guard uri.hasPrefix(Self.uriPrefix) else { return nil }
        let rest = uri.dropFirst(Self.uriPrefix.count)
        if rest.hasPrefix("node:") {
            let digits = rest.dropFirst(5)
            // Digits only: UInt32("+3") would parse, and two spellings of one id must not exist.
            guard !digits.isEmpty, digits.utf8.allSatisfy({ (48...57).contains($0) }), let id = UInt32(digits), id >= 1
            else { return nil }
            self = .node(id)
        } else if rest.hasPrefix("client:") {
            let name = String(rest.dropFirst(7))
            guard (try? Self.validateClientName(name)) != nil else { return nil }
            self = .client(name)
        } else {
            return nil
        }
    }

    /// The identity a certificate carries in its subject alternative names.
    ///
    /// - Throws: `CertificateError` (`.noIdentity`) when it carries none, or more than one (a
    ///   certificate for two members would let one impersonate the other).
    public init(certificate: Certificate) throws(CertificateError) {
        let names: SubjectAlternativeNames?
        do {
            names = try certificate.extensions.subjectAlternativeNames
        } catch {
            throw CertificateError(.malformed, "its subject alternative names cannot be read: \(error)")
        }
        var found: [CertificateIdentity] = []
        for name in names ?? SubjectAlternativeNames() {
            if case .uniformResourceIdentifier(let uri) = name, let identity = CertificateIdentity(uri: uri) {
                found.append(identity)
            }
        }
        guard found.count == 1, let identity = found.first else {
            throw CertificateError(
                .noIdentity,
                found.isEmpty
                    ? "it names no paxoslog node or client (no paxoslog:node:K or paxoslog:client:NAME URI; is it from 'paxoslog certs create'?)"
                    : "it names \(found.count) paxoslog identities (\(found.map(\.description).joined(separator: ", "))); a certificate must name one"
            )
        }
        self = identity
    }
}
