import Foundation
import Logging
import NIOCore
import PaxosTestSupport
import PaxosTransport
import Testing

/// The audit's relay: someone listening at a dead node's address passes a connector's handshake
/// on to a live member. The connector knows which node it dialled and refuses any other before it
/// proves anything, so the relay gets in nowhere.
@Suite(.serialized) struct RelayTests {
    let secret = ClusterSecret.random()

    @Test func theConnectorRefusesAnotherNodeBeforeProvingItself() {
        var listener = ListenerHandshake(
            clusterID: 5, localID: 3, secret: secret, nonce: [UInt8](repeating: 1, count: Hello.nonceSize))
        var connector = ConnectorHandshake(
            hello: Hello(clusterID: 5, role: .peer, senderID: 1), secret: secret, expectedListenerID: 2)
        guard case .send(let challenge) = listener.receive(connector.helloFrame) else {
            Issue.record("no challenge")
            return
        }
        guard case .failed(let error) = connector.receive(challenge) else {
            Issue.record("the connector proved itself to node 3 while expecting node 2")
            return
        }
        #expect(error.code == .unexpectedNode)
        #expect(error.message.hasPrefix("answered as node 3, expected node 2"))
        #expect(!connector.isEstablished)

        var right = ConnectorHandshake(
            hello: Hello(clusterID: 5, role: .peer, senderID: 1), secret: secret, expectedListenerID: 3)
        var again = ListenerHandshake(clusterID: 5, localID: 3, secret: secret, nonce: HandshakeNonce.random())
        guard case .send(let challenge) = again.receive(right.helloFrame), case .send = right.receive(challenge) else {
            Issue.record("the expected node was refused")
            return
        }
    }

    /// A raw relay at node 2's (dead) address forwards node 3's hello to the live node 1 and node
    /// 1's challenge back: the connector refuses (node 1 answered, node 2 was expected) and sends no
    /// proof, so node 1 never accepts the relay, and its application sees nothing.
    @Test func aRelayedHandshakeIsRefusedAndNothingReachesTheApplication() async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let live = try await TestListener.start(in: dir, secret: secret, group: group)
                let relay = try RawListener(path: dir + "/node-2.sock")
                let liveAddress = live.address
                let relayed = Task {
                    try await blocking { () -> [Frame] in
                        let victim = try relay.accept()
                        let upstream = try RawConnection(to: liveAddress)
                        guard let hello = victim.receiveFrame() else { return [] }
                        upstream.send(hello)
                        guard let challenge = upstream.receiveFrame() else { return [] }
                        victim.send(challenge)
                        // Whatever the victim sends next goes on too, as a relay would.
                        var after: [Frame] = []
                        while let frame = victim.receiveFrame() {
                            after.append(frame)
                            upstream.send(frame)
                        }
                        _ = upstream.waitForClose()
                        return after
                    }
                }
                let channel = try await Connector.connect(
                    to: relay.address, expecting: 2, hello: testHello(role: .peer, senderID: 3), secret: secret,
                    group: group)
                do {
                    try await channel.executeThenClose { inbound, outbound in
                        var iterator = inbound.makeAsyncIterator()
                        _ = try await Connector.awaitAcceptance(&iterator, address: relay.address)
                        try await outbound.write(Frame(kind: 20, payload: [6, 6, 6]))
                    }
                    Issue.record("the connector accepted node 1 in place of node 2")
                } catch let error as TransportError {
                    #expect(error.code == .unexpectedNode)
                    #expect(error.message.contains("\(relay.address) answered as node 1, expected node 2"))
                }
                let after = try await relayed.value
                #expect(after.map(\.kind) == [Hello.FrameKind.refused], "no proof was sent: \(after)")
                #expect(
                    after.first.map { String(decoding: $0.payload, as: UTF8.self) }
                        == ListenerHandshake.Refusal.unexpectedNode)
                #expect(try await live.log.waitFor("expected another node than node 1 at the address it dialled"))
                #expect(live.application.hellos.isEmpty)
                #expect(live.application.frames.isEmpty)
                await live.stop()
            }
        }
    }

    /// A peer link whose configured node is not the one answering (here node 1 where node 2 was
    /// expected) never connects, and says why once, as a warning.
    @Test func aPeerLinkRefusesAnotherNodeAtItsPeersAddress() async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let live = try await TestListener.start(in: dir, secret: secret, group: group)
                let linkLog = LogRecorder()
                let loop = group.next()
                let secret = self.secret
                let link = try await loop.submit {
                    let link = PeerLink(
                        address: live.address, expecting: 2, hello: testHello(role: .peer, senderID: 3),
                        secret: secret, eventLoop: loop, logger: linkLog.logger)
                    link.connect()
                    return NIOLoopBound(link, eventLoop: loop)
                }.get()
                #expect(try await linkLog.waitFor("answered as node 1, expected node 2"))
                #expect(linkLog.all.first { $0.contains("expected node 2") }?.hasPrefix("warning") == true)
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await loop.submit { link.value.isConnected }.get() == false)
                #expect(linkLog.count("expected node 2") == 1, "logged once: \(linkLog.all)")
                try await loop.submit { link.value.close() }.get()
                #expect(live.application.hellos.isEmpty)
                await live.stop()
            }
        }
    }
}
