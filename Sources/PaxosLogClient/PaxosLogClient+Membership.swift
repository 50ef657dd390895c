import PaxosCore
import PaxosProtocol

/// The members after a change, and the node that made it (the leader).
public struct MembershipChangeResult: Sendable, Hashable {
    public var membership: Membership
    public var leader: UInt32
}

extension PaxosLogClient {
    /// Asks the leader to add a learner, promote one or remove a member, and returns once the
    /// change is chosen. A refusal (another change under way, a learner not caught up, too few
    /// running voters, removing the leader itself) is a ``ClientError`` with the leader's reason;
    /// nothing changed.
    public func changeMembership(_ change: MembershipChange, timeout: Duration = .seconds(10)) async throws
        -> MembershipChangeResult
    {
        try await throughLeader(
            timeout: timeout, doing: "\(change)", sending: FrameKind.membershipRequest,
            { MembershipRequest(requestID: $0, change: change) }, expecting: FrameKind.membershipResult
        ) { (result: MembershipResult, node) in
            switch result.status {
            case .changed(let membership, let leader):
                return .done(MembershipChangeResult(membership: membership, leader: leader))
            case .notLeader(let leader): return .notLeader(leader)
            case .refused(let reason): throw ClientError("node \(node) refused to \(change): \(reason)")
            }
        }
    }
}
