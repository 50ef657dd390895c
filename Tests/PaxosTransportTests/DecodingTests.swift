import NIOCore
import NIOEmbedded
import PaxosTestSupport
import PaxosTransport
import Testing

/// No input makes the decoders trap: random and hostile bytes are errors for that connection only.
@Suite struct DecodingTests {
    @Test func randomHandshakeFramesNeverTrap() {
        var random = SeededGenerator(seed: 0x5eed)
        let secret = ClusterSecret.random()
        for round in 0..<5_000 {
            let size = Int.random(in: 0...100, using: &random)
            var payload = (0..<size).map { _ in UInt8.random(in: 0...255, using: &random) }
            // Often start like a real hello, so the later checks are reached too.
            if random.chance(50) && payload.count >= 6 {
                payload.replaceSubrange(0..<6, with: Hello.magic + [2, 0])
            }
            let kind = UInt8(round % 8)
            let frame = Frame(kind: kind, payload: payload)
            _ = try? Hello(frame: frame)
            _ = HandshakeChallenge(payload: payload)
            var listener = ListenerHandshake(clusterID: 1, localID: 1, secret: secret, nonce: HandshakeNonce.random())
            _ = listener.receive(frame)
            _ = listener.receive(frame)
            var connector = ConnectorHandshake(hello: Hello(clusterID: 1, role: .client, senderID: 0), secret: secret)
            _ = connector.receive(frame)
            _ = connector.receive(frame)
            _ = ConnectorHandshake.describeRefusal(payload)
        }
    }

    @Test func theFrameDecoderRefusesBadLengthsWithoutTrapping() throws {
        var random = SeededGenerator(seed: 7)
        let hostile: [[UInt8]] = [
            [0, 0, 0, 0, 1], [0xFF, 0xFF, 0xFF, 0xFF, 1], [0xFF, 0xFF, 0xFF, 0x7F], [1, 0, 0], [1, 0, 0, 0, 9],
            [5, 0, 0, 0, 9, 0, 0, 0, 0], [6, 0, 0, 0, 9, 1, 2, 3, 4, 5],
        ]
        let randomStreams = (0..<300).map { _ in
            (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        for bytes in hostile + randomStreams {
            let channel = EmbeddedChannel()
            let limit = FrameSizeLimit(authenticated: 1 << 20)
            try channel.pipeline.syncOperations.addFrameCodec(maximumFrameSize: 1 << 20, limit: limit)
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            _ = try? channel.writeInbound(buffer)
            while (try? channel.readInbound(as: Frame.self)) != nil {}
            _ = try? channel.finish()
        }
    }

    @Test func theHandshakeLimitAppliesUntilRaised() throws {
        let channel = EmbeddedChannel()
        let limit = FrameSizeLimit(authenticated: 1 << 20)
        try channel.pipeline.syncOperations.addFrameCodec(maximumFrameSize: 1 << 20, limit: limit)
        var frame = channel.allocator.buffer(capacity: 2010)
        frame.writeBytes(Frame(kind: 20, payload: [UInt8](repeating: 20, count: 1999)).wireBytes())
        #expect(throws: TransportError.self) { try channel.writeInbound(frame) }
        _ = try? channel.finish()

        let raised = EmbeddedChannel()
        let open = FrameSizeLimit(authenticated: 1 << 20)
        open.raise()
        try raised.pipeline.syncOperations.addFrameCodec(maximumFrameSize: 1 << 20, limit: open)
        try raised.writeInbound(frame)
        #expect(try raised.readInbound(as: Frame.self)?.payload.count == 1999)
        _ = try raised.finish()
    }
}

/// Frames carry a checksum: a changed byte anywhere is refused before the payload is decoded.
@Suite struct FrameChecksumTests {
    @Test func everySingleByteChangeIsRefused() throws {
        let frame = Frame(kind: 16, payload: Array("an entry a client sent".utf8))
        let wire = frame.wireBytes()
        #expect(try Frame(wireBytes: wire) == frame)
        for position in wire.indices {
            for bit in 0..<8 {
                var damaged = wire
                damaged[position] ^= 1 << bit
                #expect(throws: TransportError.self) { try Frame(wireBytes: damaged) }
            }
        }
    }

    @Test func theStreamDecoderRefusesADamagedFrameAndPassesAGoodOne() throws {
        let good = Frame(kind: 16, payload: [1, 2, 3])
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addFrameCodec()
        var buffer = channel.allocator.buffer(capacity: 64)
        buffer.writeBytes(good.wireBytes())
        try channel.writeInbound(buffer)
        #expect(try channel.readInbound(as: Frame.self) == good)
        var damaged = good.wireBytes()
        damaged[6] ^= 0x10
        var second = channel.allocator.buffer(capacity: 64)
        second.writeBytes(damaged)
        #expect(throws: TransportError.self) { try channel.writeInbound(second) }
        _ = try? channel.finish()
    }

    @Test func theEncoderWritesWhatTheDecoderReads() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addFrameCodec()
        let frame = Frame(kind: 17, payload: Array(0..<200))
        try channel.writeOutbound(frame)
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(Array(written.readableBytesView) == frame.wireBytes())
        _ = try? channel.finish()
    }
}
