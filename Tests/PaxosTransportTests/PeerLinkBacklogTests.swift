import NIOCore
import PaxosTestSupport
import PaxosTransport
import Testing

/// A peer that stops reading costs the sender a bounded backlog, not unbounded memory.
@Suite struct PeerLinkBacklogTests {
    @Test func framesBeyondTheBacklogOfAPeerThatDoesNotReadAreDropped() async throws {
        let secret = ClusterSecret.random()
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let listener = try await TestListener.start(in: dir, secret: secret, pausingReads: true, group: group)
                let loop = group.next()
                let log = LogRecorder()
                let link = try await loop.submit {
                    let link = PeerLink(
                        address: listener.address, expecting: TestListener.listenerID,
                        hello: testHello(role: .peer, senderID: 2, incarnation: 1),
                        secret: secret,
                        // A peer that reads nothing does not answer probes either: this test is
                        // about the backlog, so the link must not give the connection up meanwhile.
                        liveness: ConnectionLiveness.Configuration(probeAfter: .seconds(30), deadline: .seconds(120)),
                        eventLoop: loop, logger: log.logger)
                    link.connect()
                    return NIOLoopBound(link, eventLoop: loop)
                }.get()
                #expect(try await listener.application.waitUntil { $0.hellos.count == 1 })
                for _ in 0..<50 where !(try await loop.submit { link.value.isConnected }.get()) {
                    try await Task.sleep(for: .milliseconds(20))
                }
                // 64 MiB in 64 KiB frames, four times the backlog limit, to a peer that reads nothing.
                let frame = Frame(kind: 30, payload: [UInt8](repeating: 7, count: 64 << 10))
                let dropped = try await loop.submit {
                    for _ in 0..<1024 { link.value.send(frame) }
                    return link.value.framesDroppedWhileBacklogged
                }.get()
                let queuedAtMost = (PeerLink.backlogLimit + (4 << 20)) / (64 << 10)  // plus socket buffers
                #expect(dropped >= 1024 - queuedAtMost, "only \(dropped) of 1024 frames dropped")
                #expect(log.count("is not reading") == 1, "\(log.all)")
                try await loop.submit { link.value.close() }.get()
                await listener.stop()
            }
        }
    }
}
