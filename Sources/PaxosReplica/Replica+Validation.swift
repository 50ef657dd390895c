import PaxosCore
import PaxosProtocol

/// Every message from a peer is checked against the protocol state before it touches the
/// replica: a message that fails is dropped and counted, never applied.
///
/// The transport authenticates the sender, so `peer` is who sent the message; these checks keep a
/// damaged, stale or confused message from a member from corrupting state or trapping on
/// arithmetic: ballots and slots stay far below overflow, a leader speaks only under its own
/// ballot, slot runs are non-empty and in range, and a catch-up reply is applied only as the
/// answer to the request this replica has outstanding, from the replica it asked.
extension Replica {
    /// Ballot numbers and slots beyond this are refused: far above anything reachable (2^62), and
    /// low enough that adding a count or one more ballot can never overflow.
    static let validationLimit = ProtocolLimits.slotsAndBallots

    /// How far past the commit index (and the reported slots) a promise may report a slot. The
    /// holes a correct leader leaves are bounded by its pipeline and by how far a lagging
    /// acceptor trails; a million slots is far beyond both.
    static let maxPromiseGap: UInt64 = 1 << 20

    /// Why `message` from `peer` must be dropped, or nil when it may be handled.
    func rejection(of message: ReplicaMessage, from peer: NodeID) -> MessageRejection? {
        switch message {
        case .catchUpReply, .catchUpBase:
            if catchUpRequestedAt == nil || catchUpAskedOf != peer {
                return .unexpected("catch-up reply that answers no request outstanding to \(peer)")
            }
        default:
            break
        }
        return malformation(of: message, from: peer).map(MessageRejection.malformed)
    }

    /// What is wrong with `message` whatever the replica's state, or nil.
    private func malformation(of message: ReplicaMessage, from peer: NodeID) -> String? {
        // Any other node: the transport has authenticated it as one of the cluster's, and a member
        // this replica has not yet learned of (the membership is agreed through the log) may
        // already lead.
        guard peer != id else { return "sender \(peer) is this replica itself" }
        switch message {
        case .preVote(let commitIndex):
            return slotProblem(commitIndex, "commit index")
        case .preVoteReply(_, let promised, let commitIndex):
            return promised.flatMap { ballotProblem($0, "promise") } ?? slotProblem(commitIndex, "commit index")
        case .prepare(let ballot, let fromSlot):
            return ballotProblem(ballot, "ballot", leader: peer) ?? runProblem(fromSlot, count: 1, "prepare")
        case .promise(let ballot, let reports):
            if let problem = ballotProblem(ballot, "ballot") { return problem }
            // A new leader fills every slot up to the highest reported: a report far beyond what
            // this replica knows (more than `maxPromiseGap` past its commit index and the reports
            // themselves) would have it allocate billions of no-ops.
            if let highest = reports.map(\.slot).max(),
                highest > commitIndex + UInt64(reports.count) + Self.maxPromiseGap
            {
                return "promise reports slot \(highest), beyond \(commitIndex) by more than \(Self.maxPromiseGap)"
            }
            for report in reports {
                if let problem = runProblem(report.slot, count: 1, "report") { return problem }
                if let reported = report.ballot, let problem = ballotProblem(reported, "reported ballot") {
                    return problem
                }
            }
            return nil
        case .nack(let ballot, let higher):
            return ballotProblem(ballot, "ballot") ?? ballotProblem(higher, "promise")
        case .accept(let ballot, let firstSlot, let values, let commitIndex):
            return ballotProblem(ballot, "ballot", leader: peer) ?? runProblem(firstSlot, count: values.count, "accept")
                ?? slotProblem(commitIndex, "commit index")
        case .accepted(let ballot, let firstSlot, let count):
            return ballotProblem(ballot, "ballot") ?? runProblem(firstSlot, count: count, "accepted")
        case .heartbeat(let ballot, let commitIndex, _):
            return ballotProblem(ballot, "ballot", leader: peer) ?? slotProblem(commitIndex, "commit index")
        case .heartbeatReply(let ballot, let commitIndex, _, _, let heldAtStart, _):
            return ballotProblem(ballot, "ballot") ?? slotProblem(commitIndex, "commit index")
                ?? slotProblem(heldAtStart, "held slot")
        case .stateLost(let ballot, let acknowledgedThrough):
            return ballotProblem(ballot, "ballot", leader: peer)
                ?? slotProblem(acknowledgedThrough, "acknowledged slot")
        case .catchUpRequest(let fromSlot):
            return runProblem(fromSlot, count: 1, "catch-up request")
        case .timeoutNow(let ballot), .startChecked(let ballot):
            return ballotProblem(ballot, "ballot", leader: peer)
        case .catchUpReply(let firstSlot, let values, let commitIndex):
            return runProblem(firstSlot, count: values.count, "catch-up reply")
                ?? slotProblem(commitIndex, "commit index")
        case .catchUpBase(let base, let commitIndex):
            if let problem = slotProblem(commitIndex, "commit index") { return problem }
            return base.slot <= commitIndex
                ? nil : "log base at slot \(base.slot) beyond the commit index \(commitIndex)"
        }
    }

    private func ballotProblem(_ ballot: Ballot, _ what: String, leader: NodeID? = nil) -> String? {
        guard ballot.number >= 1, ballot.number < Self.validationLimit else {
            return "\(what) number \(ballot.number) out of range"
        }
        if let leader, ballot.uid != leader { return "\(what) \(ballot) is not the sender's own" }
        return nil
    }

    private func slotProblem(_ slot: Slot, _ what: String) -> String? {
        slot < Self.validationLimit ? nil : "\(what) \(slot) out of range"
    }

    /// A run of `count` consecutive slots from `first`: non-empty, starting at 1 or later, in range.
    private func runProblem(_ first: Slot, count: Int, _ what: String) -> String? {
        guard count >= 1 else { return "empty \(what)" }
        guard first >= 1, first < Self.validationLimit, UInt64(count) < Self.validationLimit - first else {
            return "\(what) of \(count) slots from \(first) out of range"
        }
        return nil
    }
}

/// Why a peer's message was dropped.
public enum MessageRejection: Hashable, Sendable, CustomStringConvertible {
    /// Well formed, but not expected now: a late or duplicated reply. Normal on a real network.
    case unexpected(String)
    /// Not a message a correct member sends: out-of-range numbers, a ballot not the sender's own,
    /// a sender that is not a member.
    case malformed(String)

    public var description: String {
        switch self {
        case .unexpected(let reason): return "unexpected: \(reason)"
        case .malformed(let reason): return "malformed: \(reason)"
        }
    }
}
