import Foundation
import NIOSSL
import PaxosCertificates
import X509

/// The mutual-TLS material of one node or client: the cluster CA it trusts, and its own
/// certificate and key. Loaded and checked once, at startup, so a wrong file is an error naming
/// the file then, not a failed handshake later.
///
/// TCP connections made or accepted with it run TLS 1.3 first (swift-nio-ssl), both ends
/// presenting a certificate that must chain to the cluster CA and be valid now; no host names are
/// checked (a member is named by its certificate's `paxoslog:node:K` identity, not by where it
/// runs). After the TLS handshake the transport checks that identity: a connector that dialled
/// node K accepts only node K's certificate, and a listener accepts a peer's hello only with the
/// certificate of the node it claims to be, a client's only with a client certificate. The HMAC
/// handshake still runs on top: it proves membership of this cluster (its secret and cluster id).
///
/// Unix sockets never use it: they are guarded by their 0700 directory and 0600 mode.
public struct TransportSecurity: Sendable, Hashable {
    /// Whom this side's certificate names.
    public let identity: CertificateIdentity
    /// The subject of the trusted CA, for messages.
    public let authorityName: String
    /// When this side's certificate expires.
    public let validUntil: Date
    let serverContext: NIOSSLContext
    let clientContext: NIOSSLContext
    /// The DER bytes of the CA's certificate and this side's: what makes two values the same
    /// (the contexts are built from them, and the key was checked to be the certificate's).
    private let fingerprint: [UInt8]

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.fingerprint == rhs.fingerprint }

    public func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }

    /// One file's bytes and what to call it in errors (its path).
    public struct Source: Sendable {
        public var bytes: [UInt8]
        public var name: String

        public init(bytes: [UInt8], name: String) {
            self.bytes = bytes
            self.name = name
        }
    }

    /// Loads `ca.pem`, and this side's certificate and key, from `directory` (as `certs create`
    /// names them: `node-K.pem` and `node-K-key.pem`, or `client-NAME.pem` and
    /// `client-NAME-key.pem`).
    ///
    /// - Throws: `TransportError` (`.invalidCertificate`) naming the file and what is wrong,
    ///   including a certificate that names another member than `identity` (node 2's files
    ///   copied in as node 1's).
    public static func load(directory: String, identity: CertificateIdentity) throws(TransportError) -> Self {
        let certificate = directory + "/" + CertificateFileNames.certificate(of: identity)
        let loaded = try load(
            certificateAuthority: directory + "/" + CertificateFileNames.authorityCertificate,
            certificate: certificate, privateKey: directory + "/" + CertificateFileNames.privateKey(of: identity))
        guard loaded.identity == identity else {
            throw TransportError(.invalidCertificate, "\(certificate) names \(loaded.identity), not \(identity)")
        }
        return loaded
    }

    /// Loads the CA certificate, this side's certificate and its key from PEM files. The key file
    /// must be readable by its owner only (like the cluster secret and ssh keys).
    ///
    /// - Throws: `TransportError` (`.invalidCertificate`) naming the file and what is wrong.
    public static func load(
        certificateAuthority: String, certificate: String, privateKey: String
    ) throws(TransportError) -> Self {
        try Self(
            certificateAuthority: Source(
                bytes: try read(certificateAuthority, secret: false), name: certificateAuthority),
            certificate: Source(bytes: try read(certificate, secret: false), name: certificate),
            privateKey: Source(bytes: try read(privateKey, secret: true), name: privateKey))
    }

    /// Builds the TLS contexts from PEM bytes, checking first what BoringSSL would only report as
    /// a failed handshake: the CA is a CA, the certificate names a paxoslog member, was signed by
    /// that CA, is valid at `now`, and the key is the certificate's.
    ///
    /// - Throws: `TransportError` (`.invalidCertificate`) naming the source and what is wrong.
    public init(
        certificateAuthority: Source, certificate: Source, privateKey: Source, now: Date = Date()
    ) throws(TransportError) {
        let authority = try Self.parseCertificate(certificateAuthority)
        guard case .isCertificateAuthority = try? authority.parsed.extensions.basicConstraints else {
            throw Self.invalid(certificateAuthority, "is not a CA certificate (no basicConstraints CA:true)")
        }
        let own = try Self.parseCertificate(certificate)
        do {
            identity = try CertificateIdentity(certificate: own.parsed)
        } catch {
            throw Self.invalid(certificate, "\(error)")
        }
        guard own.parsed.issuer == authority.parsed.subject,
            authority.parsed.publicKey.isValidSignature(own.parsed.signature, for: own.parsed)
        else {
            throw Self.invalid(
                certificate,
                "was not signed by the CA in \(certificateAuthority.name) (\(authority.parsed.subject)); use the ca.pem made with it"
            )
        }
        guard now >= own.parsed.notValidBefore else {
            throw Self.invalid(
                certificate, "is not valid before \(own.parsed.notValidBefore) (check this machine's clock)")
        }
        guard now <= own.parsed.notValidAfter else {
            throw Self.invalid(
                certificate,
                "expired at \(own.parsed.notValidAfter); make new certificates with 'paxoslog certs create'")
        }
        let key: NIOSSLPrivateKey
        let parsedKey: Certificate.PrivateKey
        do {
            // Bytes that are not UTF-8 are not PEM either; the decoding's replacement characters
            // make the parse fail below.
            parsedKey = try Certificate.PrivateKey(pemEncoded: String(decoding: privateKey.bytes, as: UTF8.self))
            key = try NIOSSLPrivateKey(bytes: privateKey.bytes, format: .pem)
        } catch {
            throw Self.invalid(privateKey, "is not a PEM private key")
        }
        guard parsedKey.publicKey == own.parsed.publicKey else {
            throw Self.invalid(privateKey, "is not the private key of \(certificate.name)")
        }
        authorityName = "\(authority.parsed.subject)"
        do {
            fingerprint = try authority.certificate.toDERBytes() + own.certificate.toDERBytes()
        } catch {
            throw Self.invalid(certificate, "cannot be encoded as DER: \(error)")
        }
        validUntil = own.parsed.notValidAfter

        var server = TLSConfiguration.makeServerConfigurationWithMTLS(
            certificateChain: [.certificate(own.certificate)], privateKey: .privateKey(key),
            trustRoots: .certificates([authority.certificate]))
        server.minimumTLSVersion = .tlsv13
        var client = TLSConfiguration.makeClientConfiguration()
        client.minimumTLSVersion = .tlsv13
        client.trustRoots = .certificates([authority.certificate])
        // Members are named by the identity in their certificate, checked after the handshake.
        client.certificateVerification = .noHostnameVerification
        client.certificateChain = [.certificate(own.certificate)]
        client.privateKey = .privateKey(key)
        do {
            serverContext = try NIOSSLContext(configuration: server)
            clientContext = try NIOSSLContext(configuration: client)
        } catch {
            throw TransportError(
                .invalidCertificate,
                "cannot use \(certificate.name) with \(privateKey.name) and \(certificateAuthority.name) for TLS: \(error)"
            )
        }
    }

    private static func parseCertificate(
        _ source: Source
    ) throws(TransportError) -> (certificate: NIOSSLCertificate, parsed: Certificate) {
        do {
            let certificates = try NIOSSLCertificate.fromPEMBytes(source.bytes)
            guard certificates.count == 1, let certificate = certificates.first else {
                throw invalid(source, "holds \(certificates.count) certificates; expected exactly one")
            }
            return (certificate, try Certificate(derEncoded: try certificate.toDERBytes()))
        } catch let error as TransportError {
            throw error
        } catch {
            throw invalid(source, "is not a PEM certificate")
        }
    }

    private static func invalid(_ source: Source, _ problem: String) -> TransportError {
        TransportError(.invalidCertificate, "\(source.name) \(problem)")
    }

    /// The file's bytes; for a key, only if no one but its owner can read it.
    private static func read(_ path: String, secret: Bool) throws(TransportError) -> [UInt8] {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw TransportError(
                .invalidCertificate,
                "cannot read \(path): \(SecretFileCalls.reason(errno)) (make the files with 'paxoslog certs create')")
        }
        if secret && status.st_mode & 0o077 != 0 {
            throw TransportError(
                .invalidCertificate,
                "\(path) is accessible by group or others (mode 0\(String(status.st_mode & 0o777, radix: 8))); "
                    + "a private key must be readable by its owner only: chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TransportError(.invalidCertificate, "cannot read \(path)")
        }
        return [UInt8](data)
    }
}
