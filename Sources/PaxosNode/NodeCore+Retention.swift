import PaxosCore
import PaxosLogStore
import PaxosReplica

/// The retention policy, applied by the leader: about once a second it checks the log's length
/// and its bytes on disk, and proposes a trim when either is past its bound. Every node gets the
/// policy, but only the leader acts on it, and the trim is agreed through the log like any other,
/// so the first index moves at the same slot everywhere.
extension NodeCore {
    /// Ids of retention trims, apart from the ids of clients' requests: nobody waits for them.
    static let retentionTrimIDs: ClosedRange<UInt64> = (1 << 62)...UInt64.max

    func applyRetentionIfDue(now: ClockInstant) {
        let policy = configuration.retention
        guard policy.isEnabled else { return }
        guard replica.role == .leader else {
            retention.lastProposed = 0  // a trim proposed before may have been lost with the role
            return
        }
        guard now - retention.lastCheckAt >= .seconds(1) else { return }
        retention.lastCheckAt = now
        var target: UInt64 = 0
        if let byEntries = policy.firstIndexForEntries(first: replica.firstIndex, last: replica.lastIndex) {
            target = byEntries
        }
        if policy.bytes > 0 {
            do {
                if let byBytes = try logStore.firstIndexKeeping(bytes: policy.bytes) { target = max(target, byBytes) }
            } catch {
                logger.warning("retention: cannot measure the log store: \(error)")
            }
        }
        guard target > replica.firstIndex, target > retention.lastProposed else { return }
        retention.lastProposed = target
        retention.nextID = max(retention.nextID, Self.retentionTrimIDs.lowerBound)
        let id = retention.nextID
        retention.nextID += 1
        logger.info("retention: trimming the log before index \(target)")
        perform(replica.requestTrim(before: target, id: id, now: now))
    }
}

/// The leader's retention bookkeeping.
struct RetentionState {
    var lastCheckAt: ClockInstant = .zero
    /// The last first index proposed: not proposed again while it is being agreed.
    var lastProposed: UInt64 = 0
    var nextID: UInt64 = 0
}
