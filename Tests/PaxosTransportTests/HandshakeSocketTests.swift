import Foundation
import Logging
import NIOCore
import PaxosTestSupport
import PaxosTransport
import Testing

/// The handshake over real sockets: who gets in, who does not, and what a refusal says.
@Suite(.serialized) struct HandshakeSocketTests {
    let secret = ClusterSecret.random()

    @Test(arguments: [false, true], [Hello.Role.peer, .client])
    func theRightSecretGetsInAndTheIncarnationArrives(tcp: Bool, role: Hello.Role) async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let listener = try await TestListener.start(in: dir, tcp: tcp, secret: secret, group: group)
                let incarnation: UInt64 = role == .peer ? 42 : 0
                let hello = testHello(role: role, senderID: role == .peer ? 2 : 0, incarnation: incarnation)
                let channel = try await Connector.connect(
                    to: listener.address, hello: hello, secret: secret, group: group)
                try await channel.executeThenClose { inbound, outbound in
                    var iterator = inbound.makeAsyncIterator()
                    let id = try await Connector.awaitAcceptance(&iterator, address: listener.address)
                    #expect(id == TestListener.listenerID)
                    try await outbound.write(Frame(kind: 20, payload: [1, 2, 3]))
                    #expect(try await listener.application.waitUntil { $0.frames.count == 1 })
                }
                let hellos = listener.application.hellos
                #expect(hellos.count == 1)
                #expect(hellos.first?.role == role)
                #expect(hellos.first?.incarnation == incarnation)
                #expect(hellos.first?.senderID == hello.senderID)
                #expect(listener.application.frames == [Frame(kind: 20, payload: [1, 2, 3])])
                await listener.stop()
            }
        }
    }

    /// A caller without the secret that skips checking the listener (as an attacker would) and
    /// sends a made-up proof, with an application frame right behind it: refused, logged, and the
    /// frame never reaches the application.
    @Test func aConnectorWithAnotherSecretIsRefusedAndNothingIsDelivered() async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let listener = try await TestListener.start(in: dir, secret: secret, group: group)
                let address = listener.address
                let answers = try await blocking { () -> [Frame] in
                    let raw = try RawConnection(to: address)
                    let handshake = ConnectorHandshake(hello: testHello(), secret: ClusterSecret.random())
                    raw.send(handshake.helloFrame)
                    guard let challenge = raw.receiveFrame() else { return [] }
                    let forged = HandshakeProof.connector(
                        secret: ClusterSecret.random(), hello: handshake.helloFrame.payload,
                        listenerNonce: Array(challenge.payload.prefix(32)),
                        listenerProof: Array(challenge.payload.suffix(32)))
                    raw.send(
                        RawConnection.encode(Frame(kind: Hello.FrameKind.proof, payload: forged))
                            + RawConnection.encode(Frame(kind: 20, payload: [9])))
                    var frames = [challenge]
                    while let frame = raw.receiveFrame() { frames.append(frame) }
                    return frames
                }
                #expect(answers.map(\.kind) == [Hello.FrameKind.challenge, Hello.FrameKind.refused])
                #expect(
                    answers.last.map { String(decoding: $0.payload, as: UTF8.self) }
                        == "handshake refused: authentication failed")
                #expect(
                    try await listener.log.waitFor(
                        "authentication failed: the proof of the caller claiming to be a client does not match"))
                #expect(listener.log.contains("refused connection from a local socket"))
                #expect(listener.application.hellos.isEmpty)
                #expect(listener.application.frames.isEmpty)
                await listener.stop()
            }
        }
    }

    /// The library's own connector with the wrong secret never sends a proof: it finds that the
    /// listener's proof does not match, says so, and tells the listener, which logs it.
    @Test func theConnectorWithAnotherSecretStopsAndTheListenerLogsIt() async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let listener = try await TestListener.start(in: dir, secret: secret, group: group)
                let channel = try await Connector.connect(
                    to: listener.address, hello: testHello(), secret: ClusterSecret.random(), group: group)
                await #expect(throws: TransportError.self) {
                    try await channel.executeThenClose { inbound, _ in
                        var iterator = inbound.makeAsyncIterator()
                        _ = try await Connector.awaitAcceptance(&iterator, address: listener.address)
                    }
                }
                #expect(try await listener.log.waitFor("refused this node's proof"))
                #expect(listener.application.hellos.isEmpty)
                await listener.stop()
            }
        }
    }

    /// A fake node (a listener without the cluster's secret): the connector refuses it with a clear
    /// error, and a peer link never treats it as connected.
    @Test func aFakeNodeIsRefusedByConnectorsAndPeerLinks() async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let fake = try await TestListener.start(in: dir, secret: ClusterSecret.random(), group: group)
                let channel = try await Connector.connect(
                    to: fake.address, hello: testHello(), secret: secret, group: group)
                do {
                    try await channel.executeThenClose { inbound, _ in
                        var iterator = inbound.makeAsyncIterator()
                        _ = try await Connector.awaitAcceptance(&iterator, address: fake.address)
                    }
                    Issue.record("the connector accepted a fake node")
                } catch let error as TransportError {
                    #expect(error.code == .authenticationFailed)
                    #expect(error.message.contains("\(fake.address) failed to prove that it holds the cluster secret"))
                }

                let linkLog = LogRecorder()
                let loop = group.next()
                let link = try await loop.submit {
                    let link = PeerLink(
                        address: fake.address, expecting: TestListener.listenerID,
                        hello: testHello(role: .peer, senderID: 2), secret: secret,
                        eventLoop: loop, logger: linkLog.logger)
                    link.connect()
                    return NIOLoopBound(link, eventLoop: loop)
                }.get()
                #expect(try await linkLog.waitFor("failed to prove that it holds the cluster secret"))
                #expect(linkLog.all.first { $0.contains("failed to prove") }?.hasPrefix("warning") == true)
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await loop.submit { link.value.isConnected }.get() == false)
                #expect(linkLog.count("failed to prove") == 1, "the same failure is logged once: \(linkLog.all)")
                try await loop.submit { link.value.close() }.get()
                #expect(fake.application.hellos.isEmpty)
                await fake.stop()
            }
        }
    }

    /// The bytes a connector sent in one successful handshake, sent again on a new connection: the
    /// listener's nonce is new, so the recorded proof no longer matches.
    @Test func aReplayedHandshakeIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let listener = try await TestListener.start(in: dir, secret: secret, group: group)
                let address = listener.address
                let secret = self.secret
                let (recorded, accepted) = try await blocking { () -> ([UInt8], Frame?) in
                    let raw = try RawConnection(to: address)
                    var handshake = ConnectorHandshake(hello: testHello(role: .peer, senderID: 2), secret: secret)
                    raw.send(handshake.helloFrame)
                    guard let challenge = raw.receiveFrame(), case .send(let proof) = handshake.receive(challenge)
                    else {
                        return ([], nil)
                    }
                    raw.send(proof)
                    return (raw.sent, raw.receiveFrame())
                }
                #expect(accepted?.kind == Hello.FrameKind.helloAccepted)
                #expect(try await listener.application.waitUntil { $0.hellos.count == 1 })

                let replayed = try await blocking { () -> [Frame] in
                    let raw = try RawConnection(to: address)
                    raw.send(recorded)
                    var frames: [Frame] = []
                    while let frame = raw.receiveFrame() { frames.append(frame) }
                    return frames
                }
                #expect(replayed.map(\.kind) == [Hello.FrameKind.challenge, Hello.FrameKind.refused])
                #expect(
                    replayed.last.map { String(decoding: $0.payload, as: UTF8.self) }
                        == "handshake refused: authentication failed")
                #expect(try await listener.log.waitFor("replayed an old handshake"))
                #expect(listener.application.hellos.count == 1, "the replay was not let in")
                await listener.stop()
            }
        }
    }

    /// What a refusal frame says: a short generic reason, never this cluster's id (in hex or in
    /// decimal), and the listener's log does not name it either.
    @Test func refusalFramesNameNoClusterID() async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let listener = try await TestListener.start(in: dir, secret: secret, group: group)
                let address = listener.address
                let wrong = Hello(clusterID: 0xfeed, role: .client, senderID: 0)
                let oldVersion = Hello(version: 1, clusterID: TestListener.clusterID, role: .client, senderID: 0)
                let frames: [Frame] = [wrong.frame, oldVersion.frame, Frame(kind: 77, payload: [1])]
                let answers = try await blocking { () -> [Frame?] in
                    try frames.map { frame in
                        let raw = try RawConnection(to: address)
                        raw.send(frame)
                        return raw.receiveFrame()
                    }
                }
                let texts = answers.map { $0.map { String(decoding: $0.payload, as: UTF8.self) } }
                #expect(
                    texts == [
                        "handshake refused: wrong cluster", "handshake refused: unsupported protocol version 1",
                        "handshake refused: protocol error",
                    ])
                #expect(answers.allSatisfy { $0?.kind == Hello.FrameKind.refused })
                #expect(try await listener.log.waitFor("protocol version 1; this node speaks 2"))
                let secretWords = [String(TestListener.clusterID, radix: 16), String(TestListener.clusterID)]
                for text in texts.compactMap({ $0 }) + listener.log.all {
                    for word in secretWords {
                        #expect(!text.lowercased().contains(word), "\(text)")
                    }
                }
                #expect(listener.log.contains("presented cluster id feed"))
                await listener.stop()
            }
        }
    }
}
