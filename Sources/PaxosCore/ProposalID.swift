/// A proposal number: totally ordered by `number`, then by the proposing node's id.
///
/// Including the node id makes every proposal id unique, so two proposers can never issue the same
/// id with different values; that is what lets an acceptor treat "same id" as "same proposal".
public struct ProposalID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Increases each time a proposer starts a new round.
    public var number: UInt64
    /// The node that issued the proposal; breaks ties between equal numbers.
    public var uid: NodeID

    public init(number: UInt64, uid: NodeID) {
        self.number = number
        self.uid = uid
    }

    public static func < (lhs: ProposalID, rhs: ProposalID) -> Bool {
        (lhs.number, lhs.uid) < (rhs.number, rhs.uid)
    }

    public var description: String { "(\(number),\(uid))" }
}

extension Optional where Wrapped == ProposalID {
    /// Orders optional ids as the textbook does: "no proposal yet" is lower than every proposal.
    @inlinable
    public static func < (lhs: ProposalID?, rhs: ProposalID?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil): return false
        case (nil, _?): return true
        case (_?, nil): return false
        case let (l?, r?): return l < r
        }
    }

    @inlinable
    public static func >= (lhs: ProposalID?, rhs: ProposalID?) -> Bool { !(lhs < rhs) }

    @inlinable
    public static func > (lhs: ProposalID?, rhs: ProposalID?) -> Bool { rhs < lhs }
}
