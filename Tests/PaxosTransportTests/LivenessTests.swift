import NIOCore
import NIOEmbedded
import PaxosTransport
import Testing

/// The liveness check of every connection, on made-up instants and on an embedded channel whose
/// clock only moves when the test moves it.
@Suite struct LivenessTests {
    let configuration = ConnectionLiveness.Configuration(probeAfter: .milliseconds(300), deadline: .milliseconds(1500))

    func at(_ milliseconds: Int64) -> NIODeadline { .uptimeNanoseconds(UInt64(milliseconds) * 1_000_000 + 1_000) }

    @Test func aQuietConnectionIsProbedOncePerIntervalThenGivenUpAtTheDeadline() {
        var liveness = ConnectionLiveness(configuration: configuration, now: at(0))
        #expect(liveness.check(at: at(299)) == .wait)
        #expect(liveness.check(at: at(300)) == .probe)
        #expect(liveness.check(at: at(450)) == .wait, "one probe per interval, not one per check")
        #expect(liveness.check(at: at(600)) == .probe)
        #expect(liveness.check(at: at(1499)) == .probe)
        #expect(liveness.check(at: at(1500)) == .giveUp(silentFor: .milliseconds(1500)))
    }

    @Test func hearingAnythingPostponesProbesAndTheDeadline() {
        var liveness = ConnectionLiveness(configuration: configuration, now: at(0))
        #expect(liveness.check(at: at(300)) == .probe)
        liveness.heard(at: at(400))  // the answer
        #expect(liveness.check(at: at(650)) == .wait)
        #expect(liveness.check(at: at(700)) == .probe)
        // Traffic every 200 ms: never a probe, never given up.
        for step in Int64(4)...40 {
            liveness.heard(at: at(step * 200))
            #expect(liveness.check(at: at(step * 200 + 150)) == .wait)
        }
        #expect(liveness.check(at: at(8000 + 1500)) == .giveUp(silentFor: .milliseconds(1500)))
    }

    @Test func anEarlierInstantHeardLateDoesNotMoveTheClockBack() {
        var liveness = ConnectionLiveness(configuration: configuration, now: at(1000))
        liveness.heard(at: at(500))
        #expect(liveness.lastHeard == at(1000))
    }

    @Test func aPeerLinkFollowsTheElectionTimeout() {
        let peer = ConnectionLiveness.Configuration.peer(electionTimeout: .seconds(1))
        #expect(peer.probeAfter == .milliseconds(250))
        #expect(peer.deadline == .milliseconds(1500))
        #expect(peer.checkInterval == .milliseconds(125))
        #expect(ConnectionLiveness.Configuration.client.deadline <= .milliseconds(1500))
    }

    @Test func backoffDoublesToItsCapAndStartsOverAfterASuccess() {
        var backoff = ReconnectBackoff()
        let delays = (0..<8).map { _ in backoff.failed() }
        #expect(delays.map(\.nanoseconds) == [50, 100, 200, 400, 800, 1000, 1000, 1000].map { Int64($0) * 1_000_000 })
        backoff.succeeded()
        #expect(backoff.failed() == .milliseconds(50), "a healed peer is redialled at once after the next failure")
    }

    /// The handler on a channel: silent until the handshake starts it, then probes (frames that
    /// go through the pipeline's codec), and closes the connection with `.unresponsive` when
    /// nothing comes back.
    @Test func theHandlerProbesAfterTheHandshakeAndClosesASilentConnection() throws {
        let channel = EmbeddedChannel()
        let loop = channel.embeddedEventLoop
        try channel.pipeline.syncOperations.addHandler(
            LivenessHandler(configuration: configuration, address: .tcp(host: "192.0.2.1", port: 7000)))
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.1", port: 7000)).wait()

        loop.advanceTime(by: .seconds(5))
        #expect(try channel.readOutbound(as: Frame.self) == nil, "no probe before the handshake")
        #expect(channel.isActive)

        channel.pipeline.triggerUserOutboundEvent(LivenessHandler.Start(), promise: nil)
        loop.advanceTime(by: .milliseconds(200))
        #expect(try channel.readOutbound(as: Frame.self) == nil)
        loop.advanceTime(by: .milliseconds(150))
        #expect(try channel.readOutbound(as: Frame.self) == Frame(kind: Hello.FrameKind.keepalive, payload: []))

        // The answer arrives: the connection lives on.
        try channel.writeInbound(ByteBuffer(bytes: [1, 2, 3]))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(bytes: [1, 2, 3]), "bytes pass on")
        loop.advanceTime(by: .milliseconds(1400))
        #expect(channel.isActive)

        // Then silence: probes, and the end at the deadline.
        loop.advanceTime(by: .milliseconds(200))
        #expect(!channel.isActive, "closed after 1.5 s of silence")
        var probes = 0
        while let frame = try channel.readOutbound(as: Frame.self) {
            #expect(frame.kind == Hello.FrameKind.keepalive)
            probes += 1
        }
        #expect(probes >= 3)
        #expect {
            try channel.throwIfErrorCaught()
        } throws: { error in
            (error as? TransportError)?.code == .unresponsive
                && (error as? TransportError)?.message.contains("192.0.2.1:7000 answered nothing for 1.") == true
        }
    }
}
