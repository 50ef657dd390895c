import Foundation
import NIOHTTP1
import PaxosCore
import PaxosProtocol
import PaxosReplica

/// What the node exports: the gauges set at each scrape, and the routing of the metrics endpoint.
extension NodeCore {
    /// Answers one request to the metrics endpoint. On the event loop.
    func httpReply(for request: HTTPRequestHead) -> HTTPReply {
        guard request.method == .GET || request.method == .HEAD else {
            return .text(.methodNotAllowed, "only GET is served")
        }
        switch request.uri.split(separator: "?", maxSplits: 1).first ?? "" {
        case "/metrics":
            refreshMetrics()
            return HTTPReply(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.text())
        case "/health":
            let health = NodeHealth.judge(healthFacts())
            return .text(health.isHealthy ? .ok : .serviceUnavailable, health.reason)
        default:
            return .text(.notFound, "not found: try /metrics or /health")
        }
    }

    /// Sets every gauge that mirrors the node's state, from what `cluster status` is told (the
    /// same ``status()``, so the two never disagree) and the replica.
    func refreshMetrics() {
        let now = clock.now()
        let status = status()
        let isLeader = replica.role == .leader
        metrics.isLeader.record(isLeader ? 1 : 0)
        metrics.ballot.record(Double(replica.leaderBallot?.number ?? 0))
        metrics.leaderID.record(Double(status.leader ?? 0))
        metrics.commitIndex.record(Double(status.commitIndex))
        metrics.lastIndex.record(Double(status.lastIndex))
        metrics.firstIndex.record(Double(status.firstIndex ?? 1))
        metrics.journalDiskBytes.record(Double(status.journalBytes))
        metrics.logDiskBytes.record(Double(status.logBytes ?? 0))
        metrics.proposalsPending.record(Double(appendsAwaitingOutcome))
        metrics.clientConnections.record(Double(clients.count))
        for peer in configuration.peers.keys {
            let lag =
                isLeader
                ? progress.lag(of: peer, lastIndex: replica.lastIndex, commitSlot: replica.commitIndex, now: now)
                : nil
            metrics.peerLag(peer, entries: lag?.entries ?? 0, seconds: lag?.seconds ?? 0)
        }
    }

    /// What `GET /health` judges, read now.
    func healthFacts() -> NodeHealth.Facts {
        let now = clock.now()
        return NodeHealth.Facts(
            isLeader: replica.role == .leader, leader: replica.leader?.rawValue,
            leaderHeardMillisecondsAgo: replica.lastLeaderContact.map { (now - $0).nanosecondsValue / 1_000_000 },
            hearsLiveLeader: replica.hearsLiveLeader(now: now),
            electionTimeoutMilliseconds: configuration.electionTimeout.nanosecondsValue / 1_000_000,
            storageFailed: isStopped, journalDirectoryWritable: access(journal.directory, W_OK) == 0,
            journalDirectory: journal.directory)
    }

    /// Counts leader changes, and forgets followers' positions when this node stops leading.
    /// Returns true when this node learned of a new leadership: another leader, or the same one
    /// elected again under a new ballot (the first leader it hears of counts too).
    func noteRoleChange(_ role: ReplicaRole, leader: NodeID?, ballot: Ballot?) -> Bool {
        if role != .leader { progress.forgetPeers() }
        guard let leader, let ballot, knownLeadership?.leader != leader || knownLeadership?.ballot != ballot else {
            return false
        }
        knownLeadership = (leader, ballot)
        metrics.leaderChanges.increment()
        return true
    }

    /// The client entries in catch-up values (no-ops and trims carry none).
    static func entryCount(_ values: [SlotValue]) -> Int {
        values.reduce(0) { total, value in
            guard case .entries(let entries) = value else { return total }
            return total + entries.count
        }
    }
}
