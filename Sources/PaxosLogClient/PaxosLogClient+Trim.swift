import Foundation
import PaxosProtocol
import PaxosTransport

extension PaxosLogClient {
    /// Moves the log's first index to `index` on every node (through the leader, agreed through the
    /// log) and returns the new first index: `index`, or one past the last entry when `index` is
    /// beyond it, or the current first index when that is already higher (the first index never
    /// moves back). Retried across leader changes until `timeout`; a trim is idempotent.
    public func trim(before index: UInt64, timeout: Duration = .seconds(30)) async throws -> UInt64 {
        let deadline = ContinuousClock.now + timeout
        var target = cluster.nodes.first?.id ?? 1
        var requestID: UInt64 = 1
        var lastError = "no node answered"
        while ContinuousClock.now < deadline {
            do {
                let result = try await trimRequest(TrimRequest(requestID: requestID, before: index), at: target)
                requestID += 1
                switch result.status {
                case .trimmed(let firstIndex):
                    return firstIndex
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
        throw ClientError("cannot trim the log within \(timeout) (is a majority of nodes running?): \(lastError)")
    }

    /// One trim request to node `id`, answered once the trim applied there or refused at once.
    func trimRequest(_ request: TrimRequest, at id: UInt32) async throws -> TrimResult {
        guard let address = cluster.address(of: id) else { throw ClientError("node \(id) is not in cluster.json") }
        let reply = try await NodeConnection.roundTrip(
            to: address, node: id, clusterID: cluster.clusterIDValue, secret: try cluster.requireSecret(),
            security: cluster.security,
            request: Frame(kind: FrameKind.trimRequest, payload: request.encoded()), expecting: FrameKind.trimResult,
            group: group, timeout: .seconds(10))
        return try TrimResult(decoding: reply.payload)
    }
}
