import Crypto
import Foundation
import PaxosCertificates
import Testing
@_spi(FixedExpiryValidationTime) import X509

/// The cluster CA and the certificates it issues, checked with swift-certificates' own RFC 5280
/// verifier (independent of the code that made them).
@Suite struct ClusterCertificateAuthorityTests {
    let now = Date()

    func makeAuthority() throws -> ClusterCertificateAuthority {
        try ClusterCertificateAuthority.create(
            validFrom: now.addingTimeInterval(-300), validUntil: now.addingTimeInterval(365 * 86_400))
    }

    /// Whether `leaf` chains to `root` at `time` under RFC 5280.
    func verifies(_ leaf: Certificate, to root: Certificate, at time: Date) async -> Bool {
        var verifier = Verifier(rootCertificates: CertificateStore([root])) {
            RFC5280Policy(fixedExpiryValidationTime: time)
        }
        if case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore()) {
            return true
        }
        return false
    }

    @Test(arguments: [CertificateIdentity.node(1), .node(3), .node(UInt32.max), .client("ops"), .client("a.b_c-9")])
    func issuedCertificatesChainToTheCAAndNameTheirHolder(identity: CertificateIdentity) async throws {
        let authority = try makeAuthority()
        let issued = try authority.issue(
            for: identity, validFrom: now.addingTimeInterval(-300), validUntil: now.addingTimeInterval(86_400))
        // Through PEM and back, as a node reads the files.
        let certificate = try Certificate(pemEncoded: try issued.certificatePEM())
        let key = try P256.Signing.PrivateKey(pemRepresentation: issued.privateKeyPEM)
        #expect(Certificate.PublicKey(key.publicKey) == certificate.publicKey)
        #expect(try CertificateIdentity(certificate: certificate) == identity)
        #expect(certificate.subject.description.contains("CN=\(identity.commonName)"))
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
        #expect(await verifies(certificate, to: authority.certificate, at: now))
    }

    @Test func theCAIsASelfSignedCA() throws {
        let authority = try makeAuthority()
        let certificate = try Certificate(pemEncoded: try authority.issued.certificatePEM())
        #expect(certificate.issuer == certificate.subject)
        #expect(certificate.publicKey.isValidSignature(certificate.signature, for: certificate))
        #expect(try certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(try certificate.extensions.keyUsage?.keyCertSign == true)
        #expect(throws: PaxosCertificates.CertificateError.self) { try CertificateIdentity(certificate: certificate) }
    }

    @Test func aCertificateDoesNotVerifyAgainstAnotherCAOrOutsideItsValidity() async throws {
        let authority = try makeAuthority()
        let issued = try authority.issue(
            for: .node(2), validFrom: now.addingTimeInterval(-300), validUntil: now.addingTimeInterval(86_400))
        #expect(await !verifies(issued.certificate, to: try makeAuthority().certificate, at: now))
        #expect(await !verifies(issued.certificate, to: authority.certificate, at: now.addingTimeInterval(2 * 86_400)))
        #expect(await !verifies(issued.certificate, to: authority.certificate, at: now.addingTimeInterval(-3600)))
    }

    @Test func nodeCertificatesServeBothEndsAndClientCertificatesOnlyTheClient() throws {
        let authority = try makeAuthority()
        let until = now.addingTimeInterval(86_400)
        let node = try authority.issue(for: .node(1), validFrom: now, validUntil: until).certificate
        let client = try authority.issue(for: .client("ops"), validFrom: now, validUntil: until).certificate
        let nodeUsages = try node.extensions.extendedKeyUsage.map(Array.init) ?? []
        let clientUsages = try client.extensions.extendedKeyUsage.map(Array.init) ?? []
        #expect(Set(nodeUsages) == [.serverAuth, .clientAuth])
        #expect(clientUsages == [.clientAuth])
    }

    @Test(arguments: [
        ("paxoslog:node:3", CertificateIdentity.node(3)), ("paxoslog:client:ops", .client("ops")),
        ("paxoslog:node:0", nil), ("paxoslog:node:+3", nil), ("paxoslog:node:", nil), ("paxoslog:node:03x", nil),
        ("paxoslog:client:../etc", nil), ("paxoslog:client:", nil), ("https://example.com", nil),
        ("paxoslog:node:4294967296", nil),
    ])
    func identityURIs(uri: String, expected: CertificateIdentity?) {
        #expect(CertificateIdentity(uri: uri) == expected)
        if let expected { #expect(expected.uri == uri) }
    }

    @Test(arguments: ["", ".hidden", "a/b", "x y", String(repeating: "a", count: 65), "é"])
    func badClientNamesAreRefused(name: String) throws {
        #expect(throws: PaxosCertificates.CertificateError.self) { try CertificateIdentity.validateClientName(name) }
        #expect(throws: PaxosCertificates.CertificateError.self) {
            try makeAuthority().issue(for: .client(name), validFrom: now, validUntil: now.addingTimeInterval(60))
        }
    }

    @Test func fileNamesFollowTheIdentity() {
        #expect(CertificateFileNames.certificate(of: .node(3)) == "node-3.pem")
        #expect(CertificateFileNames.privateKey(of: .node(3)) == "node-3-key.pem")
        #expect(CertificateFileNames.certificate(of: .client("ops")) == "client-ops.pem")
        #expect(CertificateFileNames.privateKey(of: .client("ops")) == "client-ops-key.pem")
    }
}
