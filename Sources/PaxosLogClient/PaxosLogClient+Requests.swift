import NIOCore
import PaxosProtocol
import PaxosTransport

/// What a node answered a request that only the leader can serve.
enum LeaderAnswer<Reply> {
    case done(Reply)
    /// The node does not lead; `leader` is who it believes does (nil: it knows of none).
    case notLeader(UInt32?)
}

extension PaxosLogClient {
    /// Asks node after node with `ask` until one that leads answers, following the leader each
    /// names, until `timeout`. A ``ClientError`` from `ask` ends the search (the cluster refused);
    /// any other error (a node down) moves on to the next node.
    func throughLeader<Reply>(
        timeout: Duration, doing what: String, _ ask: (UInt32) async throws -> LeaderAnswer<Reply>
    ) async throws -> Reply {
        let deadline = ContinuousClock.now + timeout
        var target = cluster.nodes.first?.id ?? 1
        var lastError = "no node answered"
        while ContinuousClock.now < deadline {
            do {
                switch try await ask(target) {
                case .done(let reply):
                    return reply
                case .notLeader(let leader):
                    lastError = "node \(target) is not the leader"
                    if let leader, leader != target {
                        target = leader
                        continue
                    }
                    target = nextNode(after: target)
                }
            } catch let error as ClientError {
                throw error
            } catch {
                lastError = "node \(target): \(error)"
                target = nextNode(after: target)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ClientError("cannot \(what) within \(timeout) (is a majority of nodes running?): \(lastError)")
    }

    /// ``throughLeader`` for a request whose answer is a message of its own: sends
    /// `request(id)` as a frame of kind `kind`, numbering the attempts 1, 2, …, reads the answer
    /// of kind `answerKind`, and lets `answer` say what it means (it throws ``ClientError`` for a
    /// refusal).
    func throughLeader<Request: RequestIDPrefixed, Answer: RequestIDPrefixed, Reply>(
        timeout: Duration, doing what: String, sending kind: UInt8, _ request: (UInt64) -> Request,
        expecting answerKind: UInt8, _ answer: (Answer, UInt32) throws -> LeaderAnswer<Reply>
    ) async throws -> Reply {
        var requestID: UInt64 = 0
        return try await throughLeader(timeout: timeout, doing: what) { node in
            requestID += 1
            let reply = try await roundTrip(
                Frame(kind: kind, payload: request(requestID).encoded()), expecting: answerKind, at: node,
                timeout: .seconds(10))
            return try answer(try Answer(decoding: reply.payload), node)
        }
    }

    /// One request frame to node `id` and its answer of kind `expecting`.
    func roundTrip(_ request: Frame, expecting kind: UInt8, at id: UInt32, timeout: TimeAmount) async throws -> Frame {
        guard let address = cluster.address(of: id) else { throw ClientError("node \(id) is not in cluster.json") }
        return try await NodeConnection.roundTrip(
            to: address, node: id, clusterID: cluster.clusterIDValue, secret: try cluster.requireSecret(),
            security: cluster.security, request: request, expecting: kind, group: group, timeout: timeout)
    }
}
