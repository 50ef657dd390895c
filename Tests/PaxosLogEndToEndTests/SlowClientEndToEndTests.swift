import Foundation
import NIOCore
import NIOPosix
import PaxosProtocol
import PaxosTransport
import Testing

@testable import PaxosLogClient

/// A client that sends requests and never reads the answers costs a node a bounded amount of
/// memory: once the answers queued for it reach the bound, the node closes it.
@Suite struct SlowClientEndToEndTests {
    @Test func aClientThatDoesNotReadItsAnswersIsClosedAndTheNodeStaysSmall() async throws {
        try await withCluster { cluster in
            // About 2 MB of log, so that every read below is answered with about 2 MB.
            let entry = String(repeating: "x", count: 1000)
            let append = try await cluster.run(
                ["append", "--cluster", cluster.dir],
                stdin: Data(String(repeating: entry + "\n", count: 2000).utf8))
            try #require(append.status == 0, "\(append.stderr)")
            let description = try cluster.description
            let node: UInt32 = 1
            let pid = try #require(cluster.pid(of: node))
            let address = try #require(description.address(of: node))
            let before = try LogOnDiskEndToEndTests.residentKiB(of: pid)
            let (frames, frameSink) = AsyncStream<UInt8>.makeStream()
            let channel = try await Connector.connect(
                to: address, expecting: node,
                hello: Hello(clusterID: description.clusterIDValue, role: .client, senderID: 0),
                secret: try description.requireSecret(), group: MultiThreadedEventLoopGroup.singleton,
                liveness: nil,  // a client that reads nothing would otherwise give up on the node
                onFrame: { frameSink.yield($0.kind) }, onClose: { _ in frameSink.finish() })
            // Once the handshake is done (the node's helloAccepted), stop reading: the answers
            // stay queued at the node.
            var kinds = frames.makeAsyncIterator()
            #expect(await kinds.next() == Hello.FrameKind.helloAccepted)
            try await channel.setOption(ChannelOptions.autoRead, value: false).get()
            // 150 reads of the whole log: about 300 MB of answers if the node queued them all.
            for id in UInt64(1)...150 {
                let request = ReadRequest(requestID: id, mode: .local, fromIndex: 1, maxBytes: 4 << 20)
                channel.write(Frame(kind: FrameKind.readRequest, payload: request.encoded()), promise: nil)
                if id % 10 == 0 {
                    channel.flush()
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            channel.flush()
            let deadline = ContinuousClock.now + .seconds(30)
            while !LocalCluster.logsContain(cluster.dir, "does not read its answers"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(
                LocalCluster.logsContain(cluster.dir, "does not read its answers"), "\(LocalCluster.logs(cluster.dir))")
            let after = try LogOnDiskEndToEndTests.residentKiB(of: pid)
            // The bound is 16 MiB of queued answers plus one answer; 100 MiB is far below the
            // 300 MB the answers would take.
            #expect(after - before < 100 << 10, "resident memory grew from \(before) KiB to \(after) KiB")
            channel.close(promise: nil)
            // The node goes on serving.
            let status = try await PaxosLogClient(cluster: description).status(of: node)
            #expect(status.commitIndex == 2000)
        }
    }
}
