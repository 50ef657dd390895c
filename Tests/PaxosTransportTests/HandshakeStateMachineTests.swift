import PaxosTransport
import Testing

/// The two handshake state machines against each other, in memory: no sockets, chosen nonces.
@Suite struct HandshakeStateMachineTests {
    let secret = ClusterSecret.random()
    let clusterID: UInt64 = 0x7c9

    func listener(secret: ClusterSecret? = nil, nonce: UInt8 = 1) -> ListenerHandshake {
        ListenerHandshake(
            clusterID: clusterID, localID: 3, secret: secret ?? self.secret,
            nonce: [UInt8](repeating: nonce, count: Hello.nonceSize))
    }

    func connector(secret: ClusterSecret? = nil) -> ConnectorHandshake {
        ConnectorHandshake(
            hello: Hello(clusterID: clusterID, role: .peer, senderID: 2, incarnation: 9), secret: secret ?? self.secret)
    }

    @Test func bothSidesProveThemselvesAndTheListenerLearnsTheIncarnation() throws {
        var listener = listener()
        var connector = connector()
        guard case .send(let challenge) = listener.receive(connector.helloFrame) else {
            Issue.record("no challenge")
            return
        }
        guard case .send(let proof) = connector.receive(challenge) else {
            Issue.record("the connector did not accept the listener's proof")
            return
        }
        guard case .accept(let hello, let reply) = listener.receive(proof) else {
            Issue.record("the listener did not accept the connector's proof")
            return
        }
        #expect(hello.incarnation == 9 && hello.senderID == 2 && hello.role == .peer)
        #expect(hello.nonce == connector.hello.nonce)
        #expect(connector.receive(reply) == .established(listenerID: 3))
        #expect(listener.isAccepted && connector.isEstablished)
    }

    @Test func aProofRecordedForOneListenerNonceFailsAgainstAFreshOne() {
        var first = listener(nonce: 1)
        var connector = connector()
        guard case .send(let challenge) = first.receive(connector.helloFrame),
            case .send(let proof) = connector.receive(challenge)
        else {
            Issue.record("handshake did not reach the proof")
            return
        }
        // The same hello and proof, replayed to a listener that picked another nonce.
        var second = listener(nonce: 2)
        _ = second.receive(connector.helloFrame)
        guard case .refuse(let refusal) = second.receive(proof) else {
            Issue.record("a replayed proof was accepted")
            return
        }
        #expect(refusal.reply == "handshake refused: authentication failed")
        #expect(refusal.reason.contains("replayed"))
    }

    @Test func aConnectorRefusesAListenerWithAnotherSecret() {
        var fake = listener(secret: ClusterSecret.random())
        var connector = connector()
        guard case .send(let challenge) = fake.receive(connector.helloFrame) else {
            Issue.record("no challenge")
            return
        }
        guard case .failed(let error) = connector.receive(challenge) else {
            Issue.record("the connector trusted a listener without the secret")
            return
        }
        #expect(error.code == .authenticationFailed)
        #expect(error.message.contains("failed to prove that it holds the cluster secret"))
    }

    @Test func aListenerRefusesAConnectorWithAnotherSecret() {
        var listener = listener()
        var impostor = connector(secret: ClusterSecret.random())
        guard case .send(let challenge) = listener.receive(impostor.helloFrame) else {
            Issue.record("no challenge")
            return
        }
        // The impostor cannot check the listener's proof; it sends a proof made with its own key.
        _ = impostor.receive(challenge)
        let forged = HandshakeProof.connector(
            secret: ClusterSecret.random(), hello: impostor.helloFrame.payload,
            listenerNonce: [UInt8](repeating: 1, count: Hello.nonceSize),
            listenerProof: Array(challenge.payload.suffix(32)))
        guard case .refuse(let refusal) = listener.receive(Frame(kind: Hello.FrameKind.proof, payload: forged)) else {
            Issue.record("a forged proof was accepted")
            return
        }
        #expect(refusal.reply == "handshake refused: authentication failed")
    }

    @Test func refusalsAreGenericAndNeverNameTheClusterID() {
        let cases: [(Frame, String)] = [
            (Hello(clusterID: 0x7ca, role: .client, senderID: 0).frame, "handshake refused: wrong cluster"),
            (
                Hello(version: 1, clusterID: 0x7c9, role: .client, senderID: 0).frame,
                "handshake refused: unsupported protocol version 1"
            ),
            (Frame(kind: 20, payload: []), "handshake refused: protocol error"),
            (Frame(kind: Hello.FrameKind.hello, payload: Array("PXLG".utf8)), "handshake refused: protocol error"),
        ]
        for (frame, expected) in cases {
            var listener = listener()
            guard case .refuse(let refusal) = listener.receive(frame) else {
                Issue.record("\(expected): not refused")
                continue
            }
            #expect(refusal.reply == expected)
            for text in [refusal.reply, refusal.reason] {
                #expect(!text.contains("7c9") && !text.contains("1993"), "\(text)")
            }
        }
    }

    @Test func theConnectorShowsARefusalAsPrintableText() {
        var connector = connector()
        let hostile = Frame(
            kind: Hello.FrameKind.refused, payload: Array("\u{1B}[2Jhandshake refused: wrong cluster".utf8))
        guard case .refused(let reason) = connector.receive(hostile) else {
            Issue.record("not a refusal")
            return
        }
        #expect(!reason.contains("\u{1B}"))
        #expect(
            ConnectorHandshake.describeRefusal(Array("handshake refused: wrong cluster".utf8))
                == "wrong cluster (the node belongs to another cluster)")
    }
}
