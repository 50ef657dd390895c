import PaxosProtocol

extension PaxosLogClient {
    /// Hands leadership to node `target` and returns once it leads. The leader stops proposing,
    /// lets `target` catch up, and tells it to run phase 1 at once; a transfer that does not
    /// happen within the leader's election timeout is given up (``ClientError`` with the leader's
    /// reason), and the old leader goes on leading.
    public func transferLeadership(to target: UInt32, timeout: Duration = .seconds(10)) async throws -> UInt32 {
        guard cluster.address(of: target) != nil else {
            throw ClientError("node \(target) is not in the cluster description")
        }
        return try await throughLeader(
            timeout: timeout, doing: "hand leadership to node \(target)", sending: FrameKind.transferRequest,
            { TransferRequest(requestID: $0, target: target) }, expecting: FrameKind.transferResult
        ) { (result: TransferResult, node) in
            switch result.status {
            case .transferred(let leader): return .done(leader)
            case .notLeader(let leader): return .notLeader(leader)
            case .failed(let reason): throw ClientError("node \(node) could not hand leadership over: \(reason)")
            }
        }
    }
}
