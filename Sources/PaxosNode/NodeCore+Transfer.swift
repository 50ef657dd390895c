import NIOCore
import PaxosCore
import PaxosProtocol
import PaxosReplica
import PaxosTransport

/// Leadership transfer at a node: a client's request (`cluster transfer-leader`), and the node's
/// own handover when it is stopped while it leads, so that a rolling restart costs each node about
/// a round trip of unavailability rather than an election timeout.
extension NodeCore {
    func receiveTransfer(_ request: TransferRequest, from client: Int) {
        guard !isStopped else { return }
        let id = nextReadID
        nextReadID += 1
        transferRequests[id] = (client, request.requestID)
        perform(replica.requestTransfer(to: NodeID(request.target), id: id, now: clock.now()))
        flush()
    }

    /// When this node leads, hands leadership to the follower that applied the most and reports
    /// how that went; nil at once when it does not lead (or has no peer).
    func handOverLeadership() -> EventLoopFuture<TransferOutcome?> {
        guard !isStopped, replica.role == .leader, let target = replica.mostCaughtUpFollower else {
            return eventLoop.makeSucceededFuture(nil)
        }
        let id = nextReadID
        nextReadID += 1
        let promise = eventLoop.makePromise(of: TransferOutcome?.self)
        handovers[id] = promise
        transferRequests[id] = (nil, 0)
        logger.info("stopping while leader: handing leadership to node \(target.rawValue)")
        perform(replica.requestTransfer(to: target, id: id, now: clock.now()))
        flush()
        return promise.futureResult
    }

    /// Answers the client (or the node's own handover) whose transfer request `id` came to
    /// `outcome`.
    func answerTransfer(_ id: UInt64, _ outcome: TransferOutcome) {
        guard let request = transferRequests.removeValue(forKey: id) else { return }
        switch outcome {
        case .transferred(let node):
            logger.info("leadership handed to node \(node.rawValue)")
        case .failed(let reason):
            logger.warning("leadership transfer failed: \(reason)")
        case .notLeader:
            break
        }
        handovers.removeValue(forKey: id)?.succeed(outcome)
        guard let client = request.client else { return }
        let status: TransferResult.Status =
            switch outcome {
            case .transferred(let node): .transferred(to: node.rawValue)
            case .notLeader(let leader): .notLeader(leader: leader?.rawValue)
            case .failed(let reason): .failed(reason)
            }
        clients[client]?.writeAndFlush(
            Frame(
                kind: FrameKind.transferResult,
                payload: TransferResult(requestID: request.requestID, status: status).encoded()),
            promise: nil)
    }
}
