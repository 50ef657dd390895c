import PaxosCore
import PaxosProtocol
import PaxosReplica
import PaxosTransport

/// Membership changes at a node: a client's request (`paxoslog cluster add|promote|remove`),
/// answered once the change is chosen (see `Replica+Membership.swift`).
extension NodeCore {
    func receiveMembershipChange(_ request: MembershipRequest, from client: Int) {
        guard !isStopped else { return }
        let id = nextReadID
        nextReadID += 1
        membershipRequests[id] = (client, request.requestID)
        logger.info("asked to \(request.change)")
        perform(replica.requestMembershipChange(request.change, id: id, now: clock.now()))
        flush()
    }

    /// Answers the client whose membership request `id` came to `outcome`.
    func answerMembershipChange(_ id: UInt64, _ outcome: MembershipOutcome) {
        guard let request = membershipRequests.removeValue(forKey: id) else { return }
        let status: MembershipStatus
        switch outcome {
        case .changed(let membership, let slot):
            logger.notice("membership changed at slot \(slot): \(membership)")
            status = .changed(membership, leader: configuration.id.rawValue)
        case .notLeader(let leader):
            status = .notLeader(leader: leader?.rawValue)
        case .refused(let reason):
            logger.warning("membership change refused: \(reason)")
            status = .refused(reason)
        }
        clients[request.client]?.writeAndFlush(
            Frame(
                kind: FrameKind.membershipResult,
                payload: MembershipResult(requestID: request.requestID, status: status).encoded()),
            promise: nil)
    }

    /// A node the log removed stops by itself, as an etcd member does, once it has applied every
    /// slot it knows is chosen: a node still catching up may yet apply a later membership that adds
    /// it back (its id reused), and must not stop on the older removal.
    func stopIfRemoved() {
        guard let slot = removedAt, replica.commitIndex >= replica.knownCommitIndex, !isStopped else { return }
        logger.notice(
            "removed from the membership at slot \(slot) and caught up (slot \(replica.commitIndex)): stopping",
            metadata: ["event": "node_removed"])
        stop()
    }
}
