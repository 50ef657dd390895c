import PaxosCore
import PaxosProtocol
import PaxosReplica
import Testing

/// A replica keeps only its latest chosen values in memory; older ones come from the log store.
@Suite struct LogStoreReplicaTests {
    /// A cluster with room for `recent` chosen slots in each replica's memory, a lagging member
    /// cut off while the leader commits `count` entries, one per slot.
    func laggingCluster(recent: Int, count: UInt64) throws -> (ReplicaTestCluster, leader: NodeID, lagging: NodeID) {
        var cluster = ReplicaTestCluster {
            $0.recentChosenSlots = recent
            $0.catchUpChunkSlots = 3
        }
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        let lagging = try #require(cluster.configuration.members.first { $0 != leader })
        cluster.isolated = [lagging]
        for sequence in 1...count {
            cluster.append("e\(sequence)", key: key(sequence), at: leader)
        }
        return (cluster, leader, lagging)
    }

    @Test func aReplicaFarBehindCatchesUpFromTheLogStore() throws {
        var (cluster, leader, lagging) = try laggingCluster(recent: 2, count: 12)
        #expect(cluster.replicas[leader]?.recentChosenValue(at: 1) == nil, "slot 1 left the leader's memory")
        var served: [Slot] = []
        cluster.isolated = []
        // Deliver by hand to see the leader ask its caller for the old slots.
        for _ in 0..<200 {
            cluster.now = cluster.now + .milliseconds(10)
            for member in cluster.configuration.members {
                let actions = cluster.replicas[member]?.tick(now: cluster.now) ?? []
                for case .serveCatchUp(let fromSlot, _, _) in actions { served.append(fromSlot) }
                cluster.perform(actions, by: member)
            }
            while !cluster.inFlight.isEmpty {
                let (from, to, message) = cluster.inFlight.removeFirst()
                let actions = cluster.replicas[to]?.receive(message, from: from, now: cluster.now) ?? []
                for case .serveCatchUp(let fromSlot, _, _) in actions { served.append(fromSlot) }
                cluster.perform(actions, by: to)
            }
        }
        #expect(cluster.log(of: lagging) == (1...12).map { "e\($0)" })
        #expect(served.first == 1, "the first chunk came from the log store")
    }

    @Test func anAcceptorDoesNotPromiseACandidateWhoseMissingValuesItNoLongerHolds() throws {
        var (cluster, leader, lagging) = try laggingCluster(recent: 2, count: 6)
        let ballot = Ballot(number: 1_000, uid: lagging)
        let actions =
            cluster.replicas[leader]?.receive(.prepare(ballot: ballot, fromSlot: 1), from: lagging, now: cluster.now)
            ?? []
        #expect(!actions.contains { if case .send(.promise, _) = $0 { return true } else { return false } })
        #expect(cluster.replicas[leader]?.promised != ballot)
        // A candidate that is only as far behind as the acceptor's memory reaches gets its promise,
        // with the chosen values it lacks.
        let commit = cluster.replicas[leader]?.commitIndex ?? 0
        cluster.autoSync = true
        let close =
            cluster.replicas[leader]?.receive(
                .prepare(ballot: ballot, fromSlot: commit), from: lagging, now: cluster.now) ?? []
        cluster.perform(close, by: leader)
        let promise = cluster.inFlight.first { if case .promise = $0.message { return true } else { return false } }
        guard case .promise(_, let reports)? = promise?.message else {
            Issue.record("no promise for a candidate one slot behind")
            return
        }
        #expect(
            reports.first
                == SlotReport(slot: commit, ballot: nil, value: cluster.logStores[leader]?.value(at: commit) ?? .noop))
    }

    @Test func aRestartAppliesWhatTheLogStoreHoldsBeyondTheJournalsCommitMarks() throws {
        var (cluster, leader, _) = try laggingCluster(recent: 2, count: 5)
        let follower = try #require(
            cluster.configuration.members.first { $0 != leader && !cluster.isolated.contains($0) })
        // The journal without its commit marks and catch-up records: only promises and accepts.
        let records = (cluster.journals[follower] ?? []).filter {
            if case .committed = $0 { return false }
            if case .chosen = $0 { return false }
            return true
        }
        var restarted = Replica.recover(
            id: follower, configuration: cluster.configuration, records: records, now: cluster.now)
        #expect(restarted.commitIndex < cluster.replicas[follower]?.commitIndex ?? 0)
        cluster.logStores[follower]?.restore(into: &restarted)
        #expect(restarted.commitIndex == cluster.replicas[follower]?.commitIndex)
        #expect(restarted.lastIndex == cluster.replicas[follower]?.lastIndex)
    }
}
