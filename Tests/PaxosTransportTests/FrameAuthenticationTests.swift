import Foundation
import Logging
import NIOCore
import NIOEmbedded
import PaxosTestSupport
import PaxosTransport
import Synchronization
import Testing

/// Frames after the handshake carry a tag under the connection's keys and an implicit sequence
/// number: whatever someone without the keys does to an established connection (inject, alter,
/// replay, reorder, drop) is refused, closes the connection, is logged, and reaches nobody.
@Suite(.serialized) struct FrameAuthenticationTests {
    let secret = ClusterSecret.random()

    @Test func bothSidesDeriveTheSameKeysAndEachDirectionItsOwn() {
        var listener = ListenerHandshake(clusterID: 5, localID: 3, secret: secret, nonce: HandshakeNonce.random())
        var connector = ConnectorHandshake(hello: Hello(clusterID: 5, role: .peer, senderID: 1), secret: secret)
        guard case .send(let challenge) = listener.receive(connector.helloFrame),
            case .send(let proof) = connector.receive(challenge),
            case .accept(_, let reply) = listener.receive(proof), case .established = connector.receive(reply),
            let keys = connector.sessionKeys
        else {
            Issue.record("the handshake did not complete")
            return
        }
        #expect(listener.sessionKeys == keys)
        #expect(keys.connectorToListener != keys.listenerToConnector)
        #expect("\(keys)" == "session keys (not shown)")
        let other = SessionKeys(
            secret: secret, connectorNonce: HandshakeNonce.random(), listenerNonce: challenge.payload)
        #expect(other != keys, "another connection's nonces give other keys")
    }

    /// What a test does to the connector's frames after a real handshake.
    enum Tampering: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// A frame tagged with a key of the attacker's choosing.
        case injected
        /// A genuine frame with one payload byte changed (and the checksum made right again).
        case altered
        /// A frame sent earlier, sent again.
        case replayed
        /// Two genuine frames, the second first.
        case reordered
        /// A genuine frame lost: the next one comes with the wrong sequence.
        case dropped
        /// A frame without a tag, as before this version.
        case untagged

        var testDescription: String { rawValue }

        /// The number of the frame the listener refuses (the sequence it expected), which is also
        /// how many genuine frames reached the application.
        var refused: Int { self == .replayed ? 2 : 1 }

        /// The bytes on the wire after the first good frame.
        func bytes(_ good: [[UInt8]], forged: [UInt8], untagged: [UInt8]) -> [UInt8] {
            switch self {
            case .injected: return forged
            case .altered:
                var frame = good[1]
                frame[6] ^= 0x01
                let crc = RawConnection.checksum(Array(frame.dropLast(4)))
                frame.replaceSubrange((frame.count - 4)..., with: withUnsafeBytes(of: crc.littleEndian, Array.init))
                return frame
            case .replayed: return good[1] + good[0]
            case .reordered: return good[2] + good[1]
            case .dropped: return good[2]
            case .untagged: return untagged
            }
        }
    }

    @Test(arguments: Tampering.allCases, [true])
    func aTamperedFrameIsRefusedClosesTheConnectionAndIsLogged(tampering: Tampering, tcp: Bool) async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let listener = try await TestListener.start(in: dir, tcp: tcp, secret: secret, group: group)
                let address = listener.address
                let secret = self.secret
                let closed = try await blocking { () -> Bool in
                    let raw = try RawConnection(to: address)
                    guard let (handshake, challenge) = Self.completeHandshake(on: raw, secret: secret),
                        let keys = handshake.sessionKeys
                    else { return false }
                    let outbound = FrameAuthentication()
                    outbound.startOutbound(key: keys.connectorToListener)
                    let good = (0..<3).map { outbound.wireBytes(of: Frame(kind: 20, payload: [UInt8($0), 7, 7])) }
                    let attacker = FrameAuthentication()
                    attacker.startOutbound(
                        key: SessionKeys(
                            secret: ClusterSecret.random(), connectorNonce: handshake.hello.nonce,
                            listenerNonce: Array(challenge.payload.prefix(32))
                        ).connectorToListener)
                    _ = attacker.wireBytes(of: Frame(kind: 20, payload: [0]))  // its sequence 0, as the real one's
                    let forged = attacker.wireBytes(of: Frame(kind: 20, payload: [1, 7, 7]))
                    let bytes = tampering.bytes(
                        good, forged: forged, untagged: Frame(kind: 20, payload: [1, 7, 7]).wireBytes())
                    raw.send(good[0])
                    raw.send(bytes)
                    return raw.waitForClose()
                }
                #expect(closed, "the listener closed the connection")
                let refused = tampering.refused
                #expect(
                    try await listener.log.waitFor(
                        "frame \(refused) from node 2 at \(tcp ? "127.0.0.1:" : "a local socket")"),
                    "\(listener.log.all)")
                #expect(listener.log.contains("failed authentication"))
                #expect(listener.application.hellos.count == 1)
                #expect(
                    listener.application.frames == (0..<refused).map { Frame(kind: 20, payload: [UInt8($0), 7, 7]) },
                    "only the genuine frames before the tampering arrived")
                await listener.stop()
            }
        }
    }

    /// The other direction: a listener (here played by the test) whose frames after the handshake
    /// are tampered with. The connector delivers the genuine frame and closes on the forged one.
    @Test func theConnectorRefusesAForgedFrameFromTheListener() async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let fake = try RawListener(tcp: ())
                let secret = self.secret
                let served = Task {
                    try await blocking { () -> Bool in
                        let raw = try fake.accept()
                        var handshake = ListenerHandshake(
                            clusterID: TestListener.clusterID, localID: 1, secret: secret,
                            nonce: HandshakeNonce.random())
                        guard let hello = raw.receiveFrame(), case .send(let challenge) = handshake.receive(hello),
                            case () = raw.send(challenge), let proof = raw.receiveFrame(),
                            case .accept(_, let reply) = handshake.receive(proof), let keys = handshake.sessionKeys
                        else { return false }
                        raw.send(reply)
                        let outbound = FrameAuthentication()
                        outbound.startOutbound(key: keys.listenerToConnector)
                        raw.send(outbound.wireBytes(of: Frame(kind: 30, payload: [1])))
                        var altered = outbound.wireBytes(of: Frame(kind: 30, payload: [2]))
                        altered[5] = 3
                        let crc = RawConnection.checksum(Array(altered.dropLast(4)))
                        altered.replaceSubrange(
                            (altered.count - 4)..., with: withUnsafeBytes(of: crc.littleEndian, Array.init))
                        raw.send(altered)
                        return raw.waitForClose()
                    }
                }
                let frames = FrameList()
                let (closes, closeSink) = AsyncStream<TransportError>.makeStream()
                let channel = try await Connector.connect(
                    to: fake.address, expecting: 1, hello: testHello(role: .client), secret: secret, group: group,
                    onFrame: { frames.append($0) }, onClose: { closeSink.yield($0) })
                var iterator = closes.makeAsyncIterator()
                let reason = await iterator.next()
                #expect(reason?.code == .frameAuthenticationFailed)
                #expect(reason?.message.hasPrefix("frame 1 from \(fake.address) failed authentication") == true)
                #expect(frames.all.map(\.kind) == [Hello.FrameKind.helloAccepted, 30])
                #expect(frames.all.last?.payload == [1])
                #expect(try await served.value, "the connector closed the connection")
                try? await channel.close()
            }
        }
    }

    /// An authenticated decoder fed frames too short for a tag, or random bytes, throws and never traps.
    @Test func theAuthenticatedDecoderRefusesShortAndRandomFramesWithoutTrapping() throws {
        var random = SeededGenerator(seed: 0xa7a6)
        for round in 0..<2_000 {
            let channel = EmbeddedChannel()
            let authentication = FrameAuthentication()
            try channel.pipeline.syncOperations.addFrameCodec(maximumFrameSize: 1 << 16, authentication: authentication)
            authentication.startInbound(
                key: SessionKeys(secret: secret, connectorNonce: [1], listenerNonce: [2]).connectorToListener,
                from: "the test")
            let size = Int.random(in: 0...40, using: &random)
            let payload = (0..<size).map { _ in UInt8.random(in: 0...255, using: &random) }
            // Valid checksums, so the tag check is what refuses them.
            let bytes = round % 2 == 0 ? Frame(kind: 20, payload: payload).wireBytes() : payload
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            do {
                try channel.writeInbound(buffer)
                let frame = try channel.readInbound(as: Frame.self)
                #expect(frame == nil, "round \(round): an untagged frame was delivered")
            } catch let error as TransportError {
                if round % 2 == 0 { #expect(error.code == .frameAuthenticationFailed) }
            } catch {}
            _ = try? channel.finish()
        }
    }
}

/// Frames a connector delivered, from its event loop.
final class FrameList: Sendable {
    private let frames = Mutex<[Frame]>([])
    func append(_ frame: Frame) { frames.withLock { $0.append(frame) } }
    var all: [Frame] { frames.withLock { $0 } }
}

extension FrameAuthenticationTests {
    /// Plays node 2's side of a real handshake over `raw`: the established handshake and the
    /// listener's challenge, or nil when the listener did not go along.
    static func completeHandshake(
        on raw: RawConnection, secret: ClusterSecret
    ) -> (handshake: ConnectorHandshake, challenge: Frame)? {
        var handshake = ConnectorHandshake(hello: testHello(role: .peer, senderID: 2), secret: secret)
        raw.send(handshake.helloFrame)
        guard let challenge = raw.receiveFrame(), case .send(let proof) = handshake.receive(challenge) else {
            return nil
        }
        raw.send(proof)
        guard let accepted = raw.receiveFrame(), case .established = handshake.receive(accepted) else { return nil }
        return (handshake, challenge)
    }

    /// On a Unix socket frames carry no tag (see `FrameAuthentication.isNeeded(on:)`): an untagged
    /// frame after a real handshake is delivered as it is.
    @Test func framesOnAUnixSocketCarryNoTag() async throws {
        let secret = self.secret
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let listener = try await TestListener.start(in: dir, secret: secret, group: group)
                let address = listener.address
                let sent = try await blocking { () -> Bool in
                    let raw = try RawConnection(to: address)
                    guard Self.completeHandshake(on: raw, secret: secret) != nil else { return false }
                    raw.send(Frame(kind: 20, payload: [9, 9]).wireBytes())
                    return true
                }
                #expect(sent)
                #expect(try await listener.application.waitUntil { $0.frames == [Frame(kind: 20, payload: [9, 9])] })
                await listener.stop()
            }
        }
    }
}
