import NIOCore
import PaxosProtocol
import PaxosTransport
import Synchronization

/// One request and its answer on a fresh connection (status, reads).
enum NodeConnection {
    /// - Parameter node: the node cluster.json places at `address`; another member answering there
    ///   is refused (`.unexpectedNode`).
    static func roundTrip(
        to address: TransportAddress, node: UInt32, clusterID: UInt64, secret: ClusterSecret,
        security: TransportSecurity?, request: Frame,
        expecting kind: UInt8, group: EventLoopGroup, timeout: TimeAmount = .seconds(10)
    ) async throws -> Frame {
        let hello = Hello(clusterID: clusterID, role: .client, senderID: 0)
        // Connecting and the handshake take milliseconds on a live node; a frozen one accepts the
        // connection (its kernel does) and never answers, so the caller moves on after 2 s even
        // when the request itself may wait longer (a long poll). Once connected, the
        // connection's liveness probes notice a node that goes silent (``ConnectionLiveness``).
        let channel = try await Connector.connect(
            to: address, expecting: node, hello: hello, secret: secret, security: security, group: group,
            timeout: min(timeout, Self.handshakeTimeout))
        // The whole exchange is bounded, not only the connect: a node that accepts the connection
        // but never answers (stopped with SIGSTOP, or wedged) must not hang the caller.
        let expired = ExpiryFlag()
        let deadline = channel.channel.eventLoop.scheduleTask(in: timeout) {
            expired.set()
            channel.channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        let timedOut = TransportError(.timedOut, "\(address) did not answer within \(Self.seconds(timeout))")
        return try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            let reply: Frame?
            do {
                _ = try await Connector.awaitAcceptance(&iterator, address: address)
                try await outbound.write(request)
                reply = try await iterator.next()
            } catch let error as TransportError
                where [.authenticationFailed, .handshakeRefused, .tlsFailed].contains(error.code)
            {
                // Not a node that is down: the secrets or the CAs differ, or an impostor. Callers
                // must not try elsewhere as if it were a transient failure.
                throw ClientError(error.message)
            } catch {
                throw expired.isSet ? timedOut : error
            }
            guard let reply else {
                if expired.isSet { throw timedOut }
                // A transport failure, not an answer: callers try another node.
                throw TransportError(.connectionClosed, "\(address) closed the connection before answering")
            }
            guard reply.kind == kind else {
                throw ClientError("\(address) answered with frame kind \(reply.kind), expected \(kind)")
            }
            return reply
        }
    }

    /// The longest connecting and the handshake may take.
    static let handshakeTimeout = TimeAmount.seconds(2)

    /// `amount` as "2 s" or "0.5 s".
    static func seconds(_ amount: TimeAmount) -> String {
        let seconds = Double(amount.nanoseconds) / 1e9
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}

/// Set once, from the event loop, when a round trip's deadline passed.
final class ExpiryFlag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
