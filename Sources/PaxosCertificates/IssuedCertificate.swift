import Crypto
import X509

/// A certificate and its private key, as `certs create` writes them.
///
/// Not `Sendable`: swift-crypto 3 does not mark its private keys so.
public struct IssuedCertificate {
    /// Whom the certificate names (nil for the cluster CA).
    public var identity: CertificateIdentity?
    public var certificate: Certificate
    public var privateKey: P256.Signing.PrivateKey

    public init(identity: CertificateIdentity?, certificate: Certificate, privateKey: P256.Signing.PrivateKey) {
        self.identity = identity
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// The certificate as PEM (`-----BEGIN CERTIFICATE-----`).
    public func certificatePEM() throws(CertificateError) -> String {
        do {
            return try certificate.serializeAsPEM().pemString + "\n"
        } catch {
            throw CertificateError(.creationFailed, "cannot encode the certificate of \(subject): \(error)")
        }
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), which BoringSSL and
    /// `openssl` read alike.
    public var privateKeyPEM: String { privateKey.pemRepresentation + "\n" }

    private var subject: String { identity?.description ?? "the cluster CA" }
}
