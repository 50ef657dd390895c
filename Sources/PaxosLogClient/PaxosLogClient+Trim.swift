import PaxosProtocol

extension PaxosLogClient {
    /// Moves the log's first index to `index` on every node (through the leader, agreed through the
    /// log) and returns the new first index: `index`, or one past the last entry when `index` is
    /// beyond it, or the current first index when that is already higher (the first index never
    /// moves back). Retried across leader changes until `timeout`; a trim is idempotent.
    public func trim(before index: UInt64, timeout: Duration = .seconds(30)) async throws -> UInt64 {
        return try await throughLeader(
            timeout: timeout, doing: "trim the log", sending: FrameKind.trimRequest,
            { TrimRequest(requestID: $0, before: index) }, expecting: FrameKind.trimResult
        ) { (result: TrimResult, _) in
            switch result.status {
            case .trimmed(let firstIndex): return .done(firstIndex)
            case .notLeader(let leader): return .notLeader(leader)
            }
        }
    }
}
