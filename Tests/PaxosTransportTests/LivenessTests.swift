import NIOCore
import NIOEmbedded
import PaxosTransport
import Testing

/// The liveness check of every connection, on made-up instants and on an embedded channel whose
/// clock only moves when the test moves it.
@Suite struct LivenessTests {
    let configuration = ConnectionLiveness.Configuration(probeAfter: .milliseconds(300), deadline: .milliseconds(1500))

    func at(_ milliseconds: Int64) -> NIODeadline { .uptimeNanoseconds(UInt64(milliseconds) * 1_000_000 + 1_000) }

    /// Checks every 150 ms (the handler's interval) from `start` through `end`: the instants
    /// (in ms) at which something other than `.wait` came out, and what.
    func run(
        _ liveness: inout ConnectionLiveness, from start: Int64, through end: Int64
    ) -> [(Int64, ConnectionLiveness.Action)] {
        stride(from: start, through: end, by: 150).compactMap { time in
            let action = liveness.check(at: at(time))
            return action == .wait ? nil : (time, action)
        }
    }

    @Test func aQuietConnectionIsProbedOncePerIntervalThenGivenUpAtTheDeadline() {
        var liveness = ConnectionLiveness(configuration: configuration, now: at(0))
        let actions = run(&liveness, from: 150, through: 1500)
        #expect(actions.map(\.0) == [300, 600, 900, 1200, 1500])
        #expect(actions.dropLast().allSatisfy { $0.1 == .probe }, "one probe per interval, not one per check")
        #expect(actions.last?.1 == .giveUp(silentFor: .milliseconds(1500)))
    }

    @Test func hearingAnythingPostponesProbesAndTheDeadline() {
        var liveness = ConnectionLiveness(configuration: configuration, now: at(0))
        #expect(run(&liveness, from: 150, through: 300).map(\.0) == [300])
        liveness.heard(at: at(400))  // the answer
        #expect(run(&liveness, from: 450, through: 600).isEmpty)
        #expect(run(&liveness, from: 750, through: 750).map(\.1) == [.probe], "quiet for 350 ms")
        // Traffic every 150 ms: never a probe, never given up.
        for time in stride(from: Int64(900), through: 6000, by: 150) {
            liveness.heard(at: at(time))
            #expect(liveness.check(at: at(time)) == .wait)
        }
        let actions = run(&liveness, from: 6150, through: 7500)
        #expect(actions.last.map { $0.0 } == 7500)
        #expect(actions.last?.1 == .giveUp(silentFor: .milliseconds(1500)))
    }

    /// A check that comes late means this side stalled (a busy event loop, no CPU): the answers
    /// may be waiting unread, so the silence starts over and a probe goes out instead.
    @Test func aStallOnThisSideIsNotBlamedOnThePeer() {
        var liveness = ConnectionLiveness(configuration: configuration, now: at(0))
        #expect(run(&liveness, from: 150, through: 300).map(\.0) == [300])
        #expect(liveness.check(at: at(5000)) == .probe, "4.7 s since the last check: not a silent peer")
        #expect(liveness.lastHeard == at(5000))
        let actions = run(&liveness, from: 5150, through: 6500)
        #expect(actions.last.map { $0.0 } == 6500)
        #expect(actions.last?.1 == .giveUp(silentFor: .milliseconds(1500)), "a peer silent after the stall is given up")
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
