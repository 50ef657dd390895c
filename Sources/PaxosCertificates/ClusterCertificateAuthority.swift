import Crypto
import Foundation
import SwiftASN1
import X509

/// The cluster's own certificate authority: a self-signed P-256 ECDSA certificate that signs one
/// certificate per node and per client, and that every node and client trusts instead of the
/// system's roots. A cluster trusts nothing but its CA: a certificate from a public CA, valid as it
/// may be, names no paxoslog member.
///
/// Certificates are made in memory; writing them to files is the caller's job.
public struct ClusterCertificateAuthority {
    /// The CA certificate and its key.
    public let issued: IssuedCertificate

    /// How far before "now" a new certificate becomes valid: machines' clocks differ by seconds
    /// to minutes, and a certificate that is not yet valid on a peer is refused there.
    public static let clockSkewAllowance: TimeInterval = 300

    /// The common name of a new CA.
    public static let defaultCommonName = "paxoslog cluster CA"

    /// The CA certificate.
    public var certificate: Certificate { issued.certificate }

    /// Makes a new CA: a fresh P-256 key and a self-signed certificate with basicConstraints
    /// CA:true (path length 0: it signs members, not other CAs) and key usage keyCertSign.
    ///
    /// - Parameters:
    ///   - validFrom: the start of validity (tests pass a date in the past).
    ///   - validUntil: the end of validity; member certificates should not outlive it.
    public static func create(
        commonName: String = defaultCommonName, validFrom: Date, validUntil: Date
    ) throws(CertificateError) -> ClusterCertificateAuthority {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        do {
            let name = try DistinguishedName {
                OrganizationName("paxoslog")
                CommonName(commonName)
            }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                notValidBefore: validFrom, notValidAfter: validUntil, issuer: name, subject: name,
                signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
                issuerPrivateKey: Certificate.PrivateKey(key))
            return ClusterCertificateAuthority(
                issued: IssuedCertificate(identity: nil, certificate: certificate, privateKey: key))
        } catch {
            throw CertificateError(.creationFailed, "cannot make the cluster CA certificate: \(error)")
        }
    }

    /// Issues a certificate for `identity`, signed by this CA, with a fresh P-256 key.
    ///
    /// The identity goes into the subject alternative names as a URI (`paxoslog:node:K`), which is
    /// what the transport checks, and into the common name. A node's certificate is good for both
    /// TLS ends (extended key usage serverAuth and clientAuth: a node listens and dials its peers);
    /// a client's only for the client end.
    public func issue(
        for identity: CertificateIdentity, validFrom: Date, validUntil: Date
    ) throws(CertificateError) -> IssuedCertificate {
        if case .client(let name) = identity { try CertificateIdentity.validateClientName(name) }
        if case .node(let id) = identity, id == 0 {
            throw CertificateError(.invalidName, "node ids start at 1")
        }
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let usages: [ExtendedKeyUsage.Usage] =
            switch identity {
            case .node: [.serverAuth, .clientAuth]
            case .client: [.clientAuth]
            }
        do {
            let subject = try DistinguishedName {
                OrganizationName("paxoslog")
                CommonName(identity.commonName)
            }
            let authorityKeyID = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage(usages)
                SubjectAlternativeNames([.uniformResourceIdentifier(identity.uri)])
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                notValidBefore: validFrom, notValidAfter: validUntil, issuer: self.certificate.subject,
                subject: subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
                issuerPrivateKey: Certificate.PrivateKey(issued.privateKey))
            return IssuedCertificate(identity: identity, certificate: certificate, privateKey: key)
        } catch {
            throw CertificateError(.creationFailed, "cannot make the certificate of \(identity): \(error)")
        }
    }
}
