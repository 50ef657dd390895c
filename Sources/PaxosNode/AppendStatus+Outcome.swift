import PaxosProtocol
import PaxosReplica

extension AppendStatus {
    /// What a client is told of the replica's `outcome` for its entry.
    init(_ outcome: AppendOutcome) {
        switch outcome {
        case .committed(let index): self = .committed(index: index)
        case .notLeader(let leader): self = .notLeader(leader: leader?.rawValue)
        case .overloaded: self = .busy
        case .outOfOrder(let expected): self = .outOfOrder(expected: expected)
        case .indexForgotten:
            self = .failed(
                "the entry was appended long before its session's latest (past the de-duplication window), "
                    + "so its index is no longer known; it was not appended again")
        }
    }
}
