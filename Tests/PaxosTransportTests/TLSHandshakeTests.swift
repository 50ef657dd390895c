import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import PaxosCertificates
import PaxosTestSupport
import PaxosTransport
import Testing

/// Mutual TLS on TCP, over real sockets on 127.0.0.1: who gets in, who does not, and what each
/// side says about it.
@Suite(.serialized) struct TLSHandshakeTests {
    let secret = ClusterSecret.random()

    /// The listener is node 1 of the test cluster.
    static let listenerIdentity = CertificateIdentity.node(TestListener.listenerID)

    /// A TCP listener on 127.0.0.1 with node 1's material from `pki`.
    func startTLSListener(_ pki: TestPKI, group: EventLoopGroup) async throws -> TestListener {
        try await TestListener.start(
            in: "", tcp: true, secret: secret, security: try pki.security(for: Self.listenerIdentity), group: group)
    }

    /// Connects with `security` and runs the whole handshake; the listener's id, or the error.
    func handshake(
        to address: TransportAddress, hello: Hello, security: TransportSecurity?, expecting: UInt32? = nil,
        sending frames: [Frame] = [], group: EventLoopGroup
    ) async throws -> Result<UInt32, TransportError> {
        let channel: NIOAsyncChannel<Frame, Frame>
        do {
            channel = try await Connector.connect(
                to: address, expecting: expecting, hello: hello, secret: secret, security: security, group: group)
        } catch let error as TransportError {
            return .failure(error)
        }
        do {
            return .success(
                try await channel.executeThenClose { inbound, outbound in
                    var iterator = inbound.makeAsyncIterator()
                    let id = try await Connector.awaitAcceptance(&iterator, address: address)
                    for frame in frames { try await outbound.write(frame) }
                    return id
                })
        } catch let error as TransportError {
            return .failure(error)
        }
    }

    @Test(arguments: [Hello.Role.peer, .client])
    func theClusterCAGetsInAndFramesPassUntagged(role: Hello.Role) async throws {
        let pki = try TestPKI()
        try await withEventLoopGroup { group in
            let listener = try await startTLSListener(pki, group: group)
            let identity: CertificateIdentity = role == .peer ? .node(2) : .client("ops")
            let frames = [
                Frame(kind: 20, payload: [1, 2, 3]), Frame(kind: 21, payload: Array(repeating: 7, count: 5000)),
            ]
            let result = try await handshake(
                to: listener.address, hello: testHello(role: role, senderID: role == .peer ? 2 : 0),
                security: try pki.security(for: identity), expecting: TestListener.listenerID, sending: frames,
                group: group)
            #expect(try result.get() == TestListener.listenerID)
            #expect(try await listener.application.waitUntil { $0.frames.count == 2 })
            #expect(listener.application.frames == frames)
            #expect(listener.application.hellos.map(\.role) == [role])
            // TLS protects the frames; the HMAC tags are left off on a TLS connection.
            #expect(listener.application.tagged == [false])
            await listener.stop()
        }
    }

    @Test func plainTCPStillTagsFrames() async throws {
        try await withEventLoopGroup { group in
            let listener = try await TestListener.start(in: "", tcp: true, secret: secret, group: group)
            let result = try await handshake(
                to: listener.address, hello: testHello(), security: nil, sending: [Frame(kind: 20, payload: [1])],
                group: group)
            #expect(try result.get() == TestListener.listenerID)
            #expect(try await listener.application.waitUntil { $0.frames.count == 1 })
            #expect(listener.application.tagged == [true])
            await listener.stop()
        }
    }

    /// A client of another cluster (its own CA, which it trusts): it refuses the listener's
    /// certificate, and the listener logs why the handshake ended.
    @Test func aClientOfAnotherClusterIsRefused() async throws {
        let pki = try TestPKI()
        let other = try TestPKI()
        try await withEventLoopGroup { group in
            let listener = try await startTLSListener(pki, group: group)
            let result = try await handshake(
                to: listener.address, hello: testHello(), security: try other.security(for: .client("ops")),
                expecting: TestListener.listenerID, group: group)
            guard case .failure(let error) = result else {
                Issue.record("a client of another CA got in")
                return
            }
            #expect(error.code == .tlsFailed, "\(error)")
            #expect(error.message.contains("did not verify against the cluster CA"), "\(error)")
            #expect(try await listener.log.waitFor("does not trust the CA that signed this side's certificate"))
            #expect(listener.log.contains("refused connection from 127.0.0.1:"))
            #expect(listener.application.hellos.isEmpty)
            await listener.stop()
        }
    }

    /// A client that trusts this cluster's CA but presents a certificate from another CA (the
    /// loader would refuse such material, so the test drives swift-nio-ssl itself): the listener
    /// refuses it.
    @Test func aCertificateFromAnotherCAIsRefusedByTheListener() async throws {
        let pki = try TestPKI()
        let other = try TestPKI()
        try await withEventLoopGroup { group in
            let listener = try await startTLSListener(pki, group: group)
            let foreign = try other.authority.issue(
                for: .client("ops"), validFrom: Date().addingTimeInterval(-60),
                validUntil: Date().addingTimeInterval(3600))
            let channel = try await rawTLSConnect(
                to: listener.address, trusting: pki, presenting: foreign, group: group)
            await #expect(throws: (any Error).self) {
                try await channel.executeThenClose { inbound, _ in
                    var iterator = inbound.makeAsyncIterator()
                    _ = try await Connector.awaitAcceptance(&iterator, address: listener.address)
                }
            }
            #expect(try await listener.log.waitFor("did not verify against the cluster CA"), "\(listener.log.all)")
            #expect(listener.application.hellos.isEmpty)
            await listener.stop()
        }
    }

    @Test func anExpiredCertificateIsRefused() async throws {
        let pki = try TestPKI()
        try await withEventLoopGroup { group in
            let listener = try await startTLSListener(pki, group: group)
            let start = Date().addingTimeInterval(-10 * 86_400)
            let expired = try pki.security(
                for: .client("old"), validFrom: start, validUntil: start.addingTimeInterval(86_400),
                loadedAt: start.addingTimeInterval(3600))
            let result = try await handshake(to: listener.address, hello: testHello(), security: expired, group: group)
            guard case .failure(let error) = result else {
                Issue.record("an expired certificate got in")
                return
            }
            #expect([.tlsFailed, .connectionClosed].contains(error.code), "\(error)")
            #expect(try await listener.log.waitFor("did not verify against the cluster CA"), "\(listener.log.all)")
            #expect(listener.application.hellos.isEmpty)
            await listener.stop()
        }
    }

    /// The loader refuses an expired certificate at startup, naming the file, before any handshake.
    @Test func loadingAnExpiredCertificateFailsNamingTheFile() throws {
        let pki = try TestPKI()
        let start = Date().addingTimeInterval(-10 * 86_400)
        #expect {
            _ = try pki.security(for: .node(2), validFrom: start, validUntil: start.addingTimeInterval(86_400))
        } throws: { error in
            let error = error as? TransportError
            return error?.code == .invalidCertificate && error?.message.hasPrefix("cert.pem expired at") == true
        }
    }

    /// A TLS client that presents no certificate at all is refused by the listener.
    @Test func aClientWithoutACertificateIsRefused() async throws {
        let pki = try TestPKI()
        try await withEventLoopGroup { group in
            let listener = try await startTLSListener(pki, group: group)
            let channel = try await rawTLSConnect(to: listener.address, trusting: pki, presenting: nil, group: group)
            await #expect(throws: (any Error).self) {
                try await channel.executeThenClose { inbound, _ in
                    var iterator = inbound.makeAsyncIterator()
                    _ = try await Connector.awaitAcceptance(&iterator, address: listener.address)
                }
            }
            #expect(try await listener.log.waitFor("the peer presented no certificate"), "\(listener.log.all)")
            #expect(listener.application.hellos.isEmpty)
            await listener.stop()
        }
    }

    /// A TLS connection set up with swift-nio-ssl directly, for material the loader would refuse:
    /// trusting `pki`'s CA, presenting `certificate` (or none), then the usual handshake.
    func rawTLSConnect(
        to address: TransportAddress, trusting pki: TestPKI, presenting certificate: IssuedCertificate?,
        group: EventLoopGroup
    ) async throws -> NIOAsyncChannel<Frame, Frame> {
        guard case .tcp(_, let port) = address else { throw TransportError(.invalidAddress, "not TCP") }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(pki.authorityPEM))
        configuration.certificateVerification = .noHostnameVerification
        if let certificate {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(
                Array(try certificate.certificatePEM().utf8)
            ).map { .certificate($0) }
            configuration.privateKey = .privateKey(
                try NIOSSLPrivateKey(bytes: Array(certificate.privateKeyPEM.utf8), format: .pem))
        }
        let context = try NIOSSLContext(configuration: configuration)
        let secret = self.secret
        return try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    try NIOSSLClientHandler(context: context, serverHostname: nil))
                try channel.pipeline.syncOperations.addConnectorHandlers(
                    hello: testHello(), secret: secret, address: address)
                return try NIOAsyncChannel<Frame, Frame>(wrappingChannelSynchronously: channel)
            }
        }
    }

    /// A plaintext connector (no `--tls-dir`) to a TLS listener: refused, and the log says why.
    @Test func aPlaintextConnectorIsRefused() async throws {
        let pki = try TestPKI()
        try await withEventLoopGroup { group in
            let listener = try await startTLSListener(pki, group: group)
            let result = try await handshake(to: listener.address, hello: testHello(), security: nil, group: group)
            guard case .failure(let error) = result else {
                Issue.record("a plaintext connector got in")
                return
            }
            // The connector learns from the listener's TLS alert that it must speak TLS.
            #expect(error.code == .tlsFailed, "\(error)")
            #expect(error.message.contains("the peer speaks TLS and this side plain TCP"), "\(error)")
            #expect(try await listener.log.waitFor("the peer does not speak TLS"), "\(listener.log.all)")
            #expect(listener.application.hellos.isEmpty)
            await listener.stop()
        }
    }

    /// A TLS connector to a plain-TCP (`--insecure`) listener: refused, and both sides say why.
    @Test func aTLSConnectorToAPlainListenerIsRefused() async throws {
        let pki = try TestPKI()
        try await withEventLoopGroup { group in
            let listener = try await TestListener.start(in: "", tcp: true, secret: secret, group: group)
            let result = try await handshake(
                to: listener.address, hello: testHello(), security: try pki.security(for: .client("ops")),
                group: group)
            #expect(throws: TransportError.self) { try result.get() }
            #expect(
                try await listener.log.waitFor("the peer speaks TLS and this side plain TCP"), "\(listener.log.all)")
            #expect(listener.application.hellos.isEmpty)
            await listener.stop()
        }
    }

    /// Node 2's certificate (and the cluster secret) with a hello claiming node 3: refused.
    @Test func aNodeCertificateUsedAsAnotherIDIsRefusedByTheListener() async throws {
        let pki = try TestPKI()
        try await withEventLoopGroup { group in
            let listener = try await startTLSListener(pki, group: group)
            let result = try await handshake(
                to: listener.address, hello: testHello(role: .peer, senderID: 3),
                security: try pki.security(for: .node(2)), expecting: TestListener.listenerID, group: group)
            guard case .failure(let error) = result else {
                Issue.record("node 2's certificate got in as node 3")
                return
            }
            #expect(error.code == .handshakeRefused, "\(error)")
            #expect(error.message.contains("the hello does not match the certificate"), "\(error)")
            #expect(
                try await listener.log.waitFor("a hello from node 3 came with the certificate of node 2"),
                "\(listener.log.all)")
            #expect(listener.application.hellos.isEmpty)
            await listener.stop()
        }
    }

    /// A client certificate cannot join as a peer, nor a node certificate as a client.
    @Test func rolesAreBoundToTheKindOfCertificate() async throws {
        let pki = try TestPKI()
        try await withEventLoopGroup { group in
            let listener = try await startTLSListener(pki, group: group)
            let asPeer = try await handshake(
                to: listener.address, hello: testHello(role: .peer, senderID: 2),
                security: try pki.security(for: .client("ops")), group: group)
            #expect(throws: TransportError.self) { try asPeer.get() }
            let asClient = try await handshake(
                to: listener.address, hello: testHello(role: .client), security: try pki.security(for: .node(2)),
                group: group)
            #expect(throws: TransportError.self) { try asClient.get() }
            #expect(try await listener.log.waitFor("came with the certificate of client ops"))
            #expect(try await listener.log.waitFor("a client hello came with the certificate of node 2"))
            #expect(listener.application.hellos.isEmpty)
            await listener.stop()
        }
    }

    /// A connector that dials node 3 and is answered with node 1's certificate refuses it, and a
    /// peer link logs it as a warning.
    @Test func aConnectorRefusesTheCertificateOfAnotherNode() async throws {
        let pki = try TestPKI()
        try await withEventLoopGroup { group in
            let listener = try await startTLSListener(pki, group: group)
            let result = try await handshake(
                to: listener.address, hello: testHello(role: .peer, senderID: 2),
                security: try pki.security(for: .node(2)), expecting: 3, group: group)
            guard case .failure(let error) = result else {
                Issue.record("the connector accepted node 1's certificate for node 3")
                return
            }
            #expect(error.code == .unexpectedNode, "\(error)")
            #expect(error.message.contains("presented the certificate of node 1, expected node 3"), "\(error)")

            let linkLog = LogRecorder()
            let loop = group.next()
            let security = try pki.security(for: .node(2))
            let secret = self.secret
            let link = try await loop.submit {
                let link = PeerLink(
                    address: listener.address, expecting: 3, hello: testHello(role: .peer, senderID: 2),
                    secret: secret, security: security, eventLoop: loop, logger: linkLog.logger)
                link.connect()
                return NIOLoopBound(link, eventLoop: loop)
            }.get()
            #expect(try await linkLog.waitFor("presented the certificate of node 1, expected node 3"))
            #expect(linkLog.all.first { $0.contains("expected node 3") }?.hasPrefix("warning") == true)
            #expect(try await loop.submit { link.value.isConnected }.get() == false)
            try await loop.submit { link.value.close() }.get()
            #expect(listener.application.hellos.isEmpty)
            await listener.stop()
        }
    }

    /// Unix sockets never run TLS, even when the listener has material.
    @Test func unixSocketsStayPlaintext() async throws {
        let pki = try TestPKI()
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let listener = try await TestListener.start(
                    in: dir, secret: secret, security: try pki.security(for: Self.listenerIdentity), group: group)
                let result = try await handshake(
                    to: listener.address, hello: testHello(), security: nil, sending: [Frame(kind: 20, payload: [5])],
                    group: group)
                #expect(try result.get() == TestListener.listenerID)
                #expect(try await listener.application.waitUntil { $0.frames.count == 1 })
                await listener.stop()
            }
        }
    }
}
