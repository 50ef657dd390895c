/// The answer of `GET /health`: whether this node is fit to serve, and one line saying why.
///
/// Healthy means the node follows (or is) a leader it heard from within the election timeout, and
/// its journal can take writes: a node that passes can commit appends (with a majority behind the
/// leader); one that fails cannot help until an election completes or its disk is fixed.
struct NodeHealth: Equatable, Sendable {
    var isHealthy: Bool
    var reason: String

    /// What the node knows, taken on its event loop.
    struct Facts: Sendable {
        var isLeader: Bool
        var leader: UInt32?
        /// Milliseconds since the leader was last heard from, if ever.
        var leaderHeardMillisecondsAgo: Int64?
        var hearsLiveLeader: Bool
        var electionTimeoutMilliseconds: Int64
        /// The node stopped after a storage failure (its journal or log store failed a write).
        var storageFailed: Bool
        /// Whether the journal's directory accepts new files (`access(W_OK)`).
        var journalDirectoryWritable: Bool
        var journalDirectory: String
    }

    static func judge(_ facts: Facts) -> NodeHealth {
        if facts.storageFailed {
            return NodeHealth(isHealthy: false, reason: "storage failed: the node stopped and must be restarted")
        }
        if !facts.journalDirectoryWritable {
            return NodeHealth(isHealthy: false, reason: "journal directory \(facts.journalDirectory) is not writable")
        }
        if facts.isLeader {
            return NodeHealth(isHealthy: true, reason: "ok: leader")
        }
        guard let leader = facts.leader else {
            return NodeHealth(isHealthy: false, reason: "no leader known")
        }
        guard facts.hearsLiveLeader else {
            let heard = facts.leaderHeardMillisecondsAgo.map { "last heard \($0) ms ago" } ?? "never heard"
            return NodeHealth(
                isHealthy: false,
                reason:
                    "leader \(leader) \(heard), longer than the election timeout (\(facts.electionTimeoutMilliseconds) ms)"
            )
        }
        return NodeHealth(isHealthy: true, reason: "ok: following leader \(leader)")
    }
}
