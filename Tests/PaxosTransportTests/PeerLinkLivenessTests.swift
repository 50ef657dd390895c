import NIOCore
import PaxosTestSupport
import PaxosTransport
import Testing

/// A peer link notices a peer that went silent and redials it; a peer that answers keeps its link.
@Suite struct PeerLinkLivenessTests {
    let secret = ClusterSecret.random()

    func startLink(
        to listener: TestListener, liveness: ConnectionLiveness.Configuration, loop: EventLoop, log: LogRecorder
    ) async throws -> NIOLoopBound<PeerLink> {
        let secret = self.secret
        return try await loop.submit {
            let link = PeerLink(
                address: listener.address, expecting: TestListener.listenerID,
                hello: testHello(role: .peer, senderID: 2, incarnation: 1), secret: secret, liveness: liveness,
                eventLoop: loop, logger: log.logger)
            link.connect()
            return NIOLoopBound(link, eventLoop: loop)
        }.get()
    }

    /// The listener stops reading after each handshake (a frozen process, as far as the link can
    /// tell): the link gives the connection up at its deadline, says why, and connects again.
    @Test func aLinkToAPeerThatStopsAnsweringIsClosedAndRedialled() async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let listener = try await TestListener.start(in: dir, secret: secret, pausingReads: true, group: group)
                let loop = group.next()
                let log = LogRecorder()
                let link = try await startLink(
                    to: listener, liveness: .init(probeAfter: .milliseconds(100), deadline: .milliseconds(600)),
                    loop: loop, log: log)
                #expect(try await listener.application.waitUntil(seconds: 30) { $0.hellos.count >= 3 }, "redialled")
                #expect(log.contains("answered nothing for"), "\(log.all)")
                #expect(log.contains("closed; reconnecting"), "\(log.all)")
                try await loop.submit { link.value.close() }.get()
                await listener.stop()
            }
        }
    }

    /// A listener that reads answers every probe: the link stays on its first connection.
    @Test func aLinkToAnAnsweringPeerStaysUp() async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let listener = try await TestListener.start(in: dir, secret: secret, group: group)
                let loop = group.next()
                let log = LogRecorder()
                // Probes every 100 ms; a deadline a loaded test machine cannot miss by accident.
                let link = try await startLink(
                    to: listener, liveness: .init(probeAfter: .milliseconds(100), deadline: .milliseconds(2500)),
                    loop: loop, log: log)
                #expect(try await listener.application.waitUntil { $0.hellos.count == 1 })
                // Several deadlines long, sending nothing of its own: only probes and their answers.
                try await Task.sleep(for: .seconds(6))
                #expect(try await loop.submit { link.value.isConnected }.get())
                #expect(listener.application.hellos.count == 1, "never redialled: \(log.all)")
                #expect(listener.application.frames.isEmpty, "probes never reach the application")
                try await loop.submit { link.value.close() }.get()
                await listener.stop()
            }
        }
    }
}
