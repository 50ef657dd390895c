import Foundation
import PaxosCertificates
import PaxosTransport

/// A cluster CA in memory and the ``TransportSecurity`` of any member it signs, for TLS tests.
struct TestPKI {
    let authority: ClusterCertificateAuthority
    let authorityPEM: [UInt8]

    /// A CA valid from an hour ago for a year.
    init() throws {
        let now = Date()
        authority = try ClusterCertificateAuthority.create(
            validFrom: now.addingTimeInterval(-3600), validUntil: now.addingTimeInterval(365 * 86_400))
        authorityPEM = Array(try authority.issued.certificatePEM().utf8)
    }

    /// The material of `identity`, signed by this CA, valid over the given dates (by default an
    /// hour ago to a day from now).
    ///
    /// - Parameter loadedAt: the time the material is loaded at; a test of an expired certificate
    ///   loads it as of a moment it was valid, so that the handshake, not the loader, refuses it.
    func security(
        for identity: CertificateIdentity, validFrom: Date = Date().addingTimeInterval(-3600),
        validUntil: Date = Date().addingTimeInterval(86_400), loadedAt: Date = Date()
    ) throws -> TransportSecurity {
        let issued = try authority.issue(for: identity, validFrom: validFrom, validUntil: validUntil)
        return try TransportSecurity(
            certificateAuthority: .init(bytes: authorityPEM, name: "ca.pem"),
            certificate: .init(bytes: Array(try issued.certificatePEM().utf8), name: "cert.pem"),
            privateKey: .init(bytes: Array(issued.privateKeyPEM.utf8), name: "key.pem"), now: loadedAt)
    }
}
