import Foundation
import PaxosProtocol
import PaxosTransport

extension PaxosLogClient {
    /// Moves the log's first index to `index` on every node (through the leader, agreed through the
    /// log) and returns the new first index: `index`, or one past the last entry when `index` is
    /// beyond it, or the current first index when that is already higher (the first index never
    /// moves back). Retried across leader changes until `timeout`; a trim is idempotent.
    public func trim(before index: UInt64, timeout: Duration = .seconds(30)) async throws -> UInt64 {
        var requestID: UInt64 = 0
        return try await throughLeader(timeout: timeout, doing: "trim the log") { node in
            requestID += 1
            let result = try await trimRequest(TrimRequest(requestID: requestID, before: index), at: node)
            switch result.status {
            case .trimmed(let firstIndex): return .done(firstIndex)
            case .notLeader(let leader): return .notLeader(leader)
            }
        }
    }

    /// One trim request to node `id`, answered once the trim applied there or refused at once.
    func trimRequest(_ request: TrimRequest, at id: UInt32) async throws -> TrimResult {
        let reply = try await roundTrip(
            Frame(kind: FrameKind.trimRequest, payload: request.encoded()), expecting: FrameKind.trimResult, at: id,
            timeout: .seconds(10))
        return try TrimResult(decoding: reply.payload)
    }
}
