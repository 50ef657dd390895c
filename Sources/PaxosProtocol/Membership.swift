import PaxosCore

/// Who takes part in the cluster, agreed through the log (`SlotValue.membership`) like any value:
/// **voters** are the acceptors quorums count and the nodes that may lead; **learners** receive
/// the log and acknowledge it, but count in no quorum and never lead (a node catching up before
/// it is promoted, as with etcd's learners).
///
/// A membership chosen at slot `s` governs the slots after `s`. The rule that makes a change safe
/// is in `Replica+Membership.swift`: one change at a time, each changing the voters by at most
/// one (so every majority of the old voters meets every majority of the new), and nothing proposed
/// after a membership slot until it is chosen.
public struct Membership: Hashable, Sendable, CustomStringConvertible {
    /// One member: its id, whether it votes, and the address its peers reach it at (empty when the
    /// deployment knows addresses from elsewhere, as the first members of a cluster file do).
    public struct Member: Hashable, Sendable {
        public var id: NodeID
        public var isVoter: Bool
        public var address: String

        public init(id: NodeID, isVoter: Bool, address: String = "") {
            self.id = id
            self.isVoter = isVoter
            self.address = address
        }
    }

    /// Every member, sorted by id, each once.
    public private(set) var members: [Member]

    /// A membership of `voters` and `learners` (disjoint), with the addresses known.
    public init(voters: [NodeID], learners: [NodeID] = [], addresses: [NodeID: String] = [:]) {
        let all =
            voters.map { Member(id: $0, isVoter: true, address: addresses[$0] ?? "") }
            + learners.filter { !voters.contains($0) }.map {
                Member(id: $0, isVoter: false, address: addresses[$0] ?? "")
            }
        self.init(members: all)
    }

    /// The members as given, sorted by id; a later duplicate of an id is dropped.
    public init(members: [Member]) {
        var seen: Set<NodeID> = []
        self.members = members.sorted { $0.id < $1.id }.filter { seen.insert($0.id).inserted }
    }

    public var voters: [NodeID] { members.filter(\.isVoter).map(\.id) }
    public var learners: [NodeID] { members.filter { !$0.isVoter }.map(\.id) }
    public var ids: [NodeID] { members.map(\.id) }

    public func contains(_ id: NodeID) -> Bool { members.contains { $0.id == id } }
    public func isVoter(_ id: NodeID) -> Bool { members.contains { $0.id == id && $0.isVoter } }
    public func address(of id: NodeID) -> String? { members.first { $0.id == id }?.address }

    /// A majority of the voters.
    public var quorumSize: Int { voters.count / 2 + 1 }

    /// Whether `nodes` include a majority of the voters (learners and strangers count for nothing).
    public func isQuorum<Nodes: Sequence<NodeID>>(_ nodes: Nodes) -> Bool {
        Set(nodes).filter { isVoter($0) }.count >= quorumSize
    }

    public var description: String {
        members.map { "\($0.id.rawValue)\($0.isVoter ? "" : " (learner)")" }.joined(separator: ", ")
    }
}

/// One change to a membership, as an operator asks for it.
public enum MembershipChange: Hashable, Sendable, CustomStringConvertible {
    /// A new member that receives the log and votes in nothing, reached at `address`.
    case addLearner(NodeID, address: String)
    /// A learner becomes a voter.
    case promote(NodeID)
    /// A member leaves: a voter (the voters shrink by one) or a learner.
    case remove(NodeID)

    public var description: String {
        switch self {
        case .addLearner(let id, let address): "add learner \(id.rawValue) at \(address)"
        case .promote(let id): "promote \(id.rawValue)"
        case .remove(let id): "remove \(id.rawValue)"
        }
    }
}

extension Membership {
    /// The membership after `change`, or why it cannot be made (said for an operator).
    public func applying(_ change: MembershipChange) -> Result<Membership, MembershipRefusal> {
        switch change {
        case .addLearner(let id, let address):
            guard !contains(id) else { return .failure(MembershipRefusal("node \(id.rawValue) is already a member")) }
            return .success(Membership(members: members + [Member(id: id, isVoter: false, address: address)]))
        case .promote(let id):
            guard contains(id) else { return .failure(MembershipRefusal("node \(id.rawValue) is not a member")) }
            guard !isVoter(id) else { return .failure(MembershipRefusal("node \(id.rawValue) is already a voter")) }
            return .success(
                Membership(
                    members: members.map { $0.id == id ? Member(id: id, isVoter: true, address: $0.address) : $0 }))
        case .remove(let id):
            guard contains(id) else { return .failure(MembershipRefusal("node \(id.rawValue) is not a member")) }
            guard !(isVoter(id) && voters.count == 1) else {
                return .failure(MembershipRefusal("node \(id.rawValue) is the only voter"))
            }
            return .success(Membership(members: members.filter { $0.id != id }))
        }
    }
}

/// Why a membership change was refused, in words for the operator who asked.
public struct MembershipRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
