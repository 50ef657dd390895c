import Foundation
import PaxosCertificates
import PaxosTestSupport
import PaxosTransport
import Testing

/// Loading TLS material: every mistake is an error at startup that names the file.
@Suite struct TransportSecurityLoadTests {
    /// Writes a CA and node 1's pair as `certs create` names them; returns the directory's files.
    private func writeMaterial(in dir: String, pki: TestPKI) throws -> IssuedCertificate {
        let issued = try pki.authority.issue(
            for: .node(1), validFrom: Date().addingTimeInterval(-60), validUntil: Date().addingTimeInterval(3600))
        try Data(pki.authorityPEM).write(to: URL(fileURLWithPath: dir + "/ca.pem"))
        try write(try issued.certificatePEM(), to: dir + "/node-1.pem", mode: 0o644)
        try write(issued.privateKeyPEM, to: dir + "/node-1-key.pem", mode: 0o600)
        return issued
    }

    private func write(_ text: String, to path: String, mode: Int) throws {
        try? FileManager.default.removeItem(atPath: path)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    private func loadError(_ dir: String) -> String? {
        do {
            _ = try TransportSecurity.load(directory: dir, identity: .node(1))
            return nil
        } catch {
            #expect(error.code == .invalidCertificate)
            return error.message
        }
    }

    @Test func theMaterialCertsCreateWritesLoads() throws {
        try withTemporaryDirectory { dir in
            _ = try writeMaterial(in: dir, pki: try TestPKI())
            let security = try TransportSecurity.load(directory: dir, identity: .node(1))
            #expect(security.identity == .node(1))
            #expect(security.authorityName.contains("paxoslog cluster CA"))
        }
    }

    @Test func aMissingFileIsNamed() throws {
        try withTemporaryDirectory { dir in
            #expect(loadError(dir)?.hasPrefix("cannot read \(dir)/ca.pem") == true)
        }
    }

    @Test func aKeyReadableByOthersIsRefused() throws {
        try withTemporaryDirectory { dir in
            let issued = try writeMaterial(in: dir, pki: try TestPKI())
            try write(issued.privateKeyPEM, to: dir + "/node-1-key.pem", mode: 0o644)
            #expect(loadError(dir)?.contains("\(dir)/node-1-key.pem is accessible by group or others") == true)
        }
    }

    @Test func anotherCertificatesKeyIsRefused() throws {
        try withTemporaryDirectory { dir in
            let pki = try TestPKI()
            _ = try writeMaterial(in: dir, pki: pki)
            let other = try pki.authority.issue(
                for: .node(2), validFrom: Date().addingTimeInterval(-60), validUntil: Date().addingTimeInterval(3600))
            try write(other.privateKeyPEM, to: dir + "/node-1-key.pem", mode: 0o600)
            #expect(loadError(dir) == "\(dir)/node-1-key.pem is not the private key of \(dir)/node-1.pem")
        }
    }

    @Test func aCertificateFromAnotherCAIsRefused() throws {
        try withTemporaryDirectory { dir in
            _ = try writeMaterial(in: dir, pki: try TestPKI())
            try Data(try TestPKI().authorityPEM).write(to: URL(fileURLWithPath: dir + "/ca.pem"))
            #expect(loadError(dir)?.hasPrefix("\(dir)/node-1.pem was not signed by the CA in \(dir)/ca.pem") == true)
        }
    }

    @Test func aLeafCertificateIsNotACA() throws {
        try withTemporaryDirectory { dir in
            _ = try writeMaterial(in: dir, pki: try TestPKI())
            try FileManager.default.removeItem(atPath: dir + "/ca.pem")
            try FileManager.default.copyItem(atPath: dir + "/node-1.pem", toPath: dir + "/ca.pem")
            #expect(loadError(dir) == "\(dir)/ca.pem is not a CA certificate (no basicConstraints CA:true)")
        }
    }

    @Test func garbageIsNotAPEMCertificate() throws {
        try withTemporaryDirectory { dir in
            _ = try writeMaterial(in: dir, pki: try TestPKI())
            try write("not a certificate\n", to: dir + "/node-1.pem", mode: 0o644)
            #expect(loadError(dir) == "\(dir)/node-1.pem is not a PEM certificate")
        }
    }

    @Test func garbageIsNotAPEMKey() throws {
        try withTemporaryDirectory { dir in
            _ = try writeMaterial(in: dir, pki: try TestPKI())
            try write("\u{FF}not a key\n", to: dir + "/node-1-key.pem", mode: 0o600)
            #expect(loadError(dir) == "\(dir)/node-1-key.pem is not a PEM private key")
        }
    }

    @Test(arguments: [
        (Hello.Role.peer, 2, CertificateIdentity.node(2), true), (.peer, 3, .node(2), false),
        (.peer, 2, .client("ops"), false), (.client, 0, .client("ops"), true), (.client, 0, .node(2), false),
    ])
    func helloAndCertificateMustAgree(role: Hello.Role, sender: UInt32, identity: CertificateIdentity, matches: Bool) {
        #expect(TLSPeer().mismatch(with: testHello(role: role, senderID: sender)) != nil, "nothing checked yet")
        let peer = TLSPeer(identity: identity)
        #expect((peer.mismatch(with: testHello(role: role, senderID: sender)) == nil) == matches)
    }
}
