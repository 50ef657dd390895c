import NIOCore
import PaxosProtocol
import PaxosTransport

/// One request and its answer on a fresh connection (status, reads).
enum NodeConnection {
    static func roundTrip(
        to address: TransportAddress, clusterID: UInt64, request: Frame, expecting kind: UInt8, group: EventLoopGroup,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> Frame {
        let hello = Hello(clusterID: clusterID, role: .client, senderID: 0)
        let channel = try await Connector.connect(to: address, hello: hello, group: group, timeout: timeout)
        return try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            _ = try await Connector.awaitAcceptance(&iterator, address: address)
            try await outbound.write(request)
            guard let reply = try await iterator.next() else {
                // A transport failure, not an answer: callers try another node.
                throw TransportError(.connectionClosed, "\(address) closed the connection before answering")
            }
            guard reply.kind == kind else {
                throw ClientError("\(address) answered with frame kind \(reply.kind), expected \(kind)")
            }
            return reply
        }
    }
}
