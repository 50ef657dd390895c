import Foundation
import NIOCore
import PaxosTestSupport
import PaxosTransport
import Testing

/// The listener's bounds, with short durations: the handshake deadline, the connection caps, the
/// idle timeout, and the keepalives that keep a healthy peer link under it.
@Suite(.serialized) struct ConnectionLimitTests {
    let secret = ClusterSecret.random()

    @Test(arguments: [[UInt8](), [12, 0, 0], [59, 0, 0, 0, Hello.FrameKind.hello, 0x50, 0x58]])
    func aConnectionThatDoesNotCompleteTheHandshakeIsClosedAtTheDeadline(sending bytes: [UInt8]) async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let limits = ConnectionLimits(handshakeTimeout: .milliseconds(300))
                let listener = try await TestListener.start(in: dir, secret: secret, limits: limits, group: group)
                let address = listener.address
                let began = ContinuousClock.now
                let answer = try await blocking { () -> Frame? in
                    let raw = try RawConnection(to: address, receiveTimeout: 300)
                    raw.send(bytes)
                    return raw.receiveFrame()
                }
                let waited = ContinuousClock.now - began
                // Not before the deadline; the upper bound only tells the listener's close from ours
                // (a loaded machine may be seconds late).
                #expect(waited >= .milliseconds(250) && waited < .seconds(300), "closed after \(waited)")
                #expect(answer.map { String(decoding: $0.payload, as: UTF8.self) } == "handshake refused: timed out")
                #expect(try await listener.log.waitFor("no completed handshake within 0.3 s"))
                await listener.stop()
            }
        }
    }

    @Test func connectionsBeyondTheCapsAreClosedAtOnceWithOneWarningASecond() async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                let limits = ConnectionLimits(
                    handshakeTimeout: .seconds(20), maximumUnauthenticated: 2, maximumConnections: 3)
                let listener = try await TestListener.start(in: dir, secret: secret, limits: limits, group: group)
                let address = listener.address
                // Two silent connections fill the handshake slots; the next five are closed at once.
                let outcome = try await blocking { () -> (silentOpen: Bool, closed: [Bool], seconds: Double) in
                    let silent = try (0..<2).map { _ in try RawConnection(to: address, receiveTimeout: 0.3) }
                    Thread.sleep(forTimeInterval: 0.2)
                    let began = Date()
                    let closed = try (0..<5).map { _ in
                        try RawConnection(to: address, receiveTimeout: 15).waitForClose()
                    }
                    let seconds = Date().timeIntervalSince(began)
                    // Still open (their deadline is 20 s away): reading times out instead of ending.
                    let silentOpen = silent.allSatisfy { !$0.waitForClose() }
                    return (silentOpen, closed, seconds)
                }
                #expect(outcome.silentOpen)
                #expect(outcome.closed == Array(repeating: true, count: 5))
                #expect(outcome.seconds < 15, "closed at once, not at the 20 s deadline")
                #expect(try await listener.log.waitFor("refusing new connections"))
                #expect(listener.log.count("refusing new connections") == 1, "\(listener.log.all)")
                #expect(listener.log.contains("2 in the handshake (limit 2)"))

                // Once the silent ones are gone, three authenticated connections fill the total; one
                // at a time, as three handshakes at once would exceed the limit of 2 in the handshake.
                #expect(try await listener.log.waitFor("closed before completing the handshake", count: 2))
                var open: [NIOAsyncChannel<Frame, Frame>] = []
                for count in 1...3 {
                    let channel = try await Connector.connect(
                        to: address, hello: testHello(), secret: secret, group: group)
                    open.append(channel)
                    #expect(
                        try await listener.application.waitUntil { $0.hellos.count == count }, "\(listener.log.all)")
                }
                let fourthClosed = try await blocking {
                    try RawConnection(to: address, receiveTimeout: 15).waitForClose()
                }
                #expect(fourthClosed)
                for channel in open { try await channel.channel.close() }
                await listener.stop()
            }
        }
    }

    @Test func anIdleConnectionIsClosedButAPeerLinkWithProbesStaysUp() async throws {
        try await withTemporaryDirectory { dir in
            try await withEventLoopGroup { group in
                // Probes 15 times as often as the idle timeout: a loaded machine may delay some. A
                // generous liveness deadline: this test is about the listener's idle timeout.
                let limits = ConnectionLimits(idleTimeout: .milliseconds(1500))
                let liveness = ConnectionLiveness.Configuration(probeAfter: .milliseconds(100), deadline: .seconds(30))
                let listener = try await TestListener.start(in: dir, secret: secret, limits: limits, group: group)

                // An authenticated client that then says nothing (no liveness probes either).
                let began = ContinuousClock.now
                let idle = try await Connector.connect(
                    to: listener.address, hello: testHello(), secret: secret, group: group, liveness: nil)
                try await idle.executeThenClose { inbound, _ in
                    var iterator = inbound.makeAsyncIterator()
                    _ = try await Connector.awaitAcceptance(&iterator, address: listener.address)
                    #expect(try await iterator.next() == nil, "the listener closed it")
                }
                let waited = ContinuousClock.now - began
                #expect(waited >= .milliseconds(1400) && waited < .seconds(60), "closed after \(waited)")
                #expect(try await listener.log.waitFor("nothing read for 1.5 s"))

                // A peer link that sends nothing of its own but probes: up for three idle timeouts.
                let loop = group.next()
                let linkLog = LogRecorder()
                let link = try await loop.submit {
                    let link = PeerLink(
                        address: listener.address, expecting: TestListener.listenerID,
                        hello: testHello(role: .peer, senderID: 2, incarnation: 5),
                        secret: secret, liveness: liveness, eventLoop: loop,
                        logger: linkLog.logger)
                    link.connect()
                    return NIOLoopBound(link, eventLoop: loop)
                }.get()
                #expect(try await listener.application.waitUntil { $0.hellos.count == 2 })
                try await Task.sleep(for: .milliseconds(4000))
                #expect(try await loop.submit { link.value.isConnected }.get())
                #expect(listener.application.hellos.count == 2, "the link never reconnected")
                #expect(listener.application.hellos.last?.incarnation == 5)
                #expect(listener.application.frames.isEmpty, "keepalives never reach the application")
                #expect(listener.log.count("nothing read for") == 1, "\(listener.log.all)")

                try await loop.submit { link.value.send(Frame(kind: 30, payload: [7])) }.get()
                #expect(try await listener.application.waitUntil { $0.frames == [Frame(kind: 30, payload: [7])] })
                try await loop.submit { link.value.close() }.get()
                await listener.stop()
            }
        }
    }
}
