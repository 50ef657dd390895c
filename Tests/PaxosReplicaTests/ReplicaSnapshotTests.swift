import PaxosCore
import PaxosProtocol
import PaxosReplica
import Testing

/// A checkpoint's snapshot plus the journal after it restores what the whole journal restores.
@Suite struct ReplicaSnapshotTests {
    @Test func aSnapshotAndTheRecordsAfterItRestoreWhatTheWholeJournalDoes() throws {
        var cluster = ReplicaTestCluster { $0.maxEntriesPerSlot = 2 }
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        let follower = try #require(cluster.configuration.members.first { $0 != leader })
        for sequence in UInt64(1)...5 {
            cluster.append("a\(sequence)", key: key(sequence, session: 1), at: leader)
        }
        cluster.advance(by: .milliseconds(200))
        let snapshot = try #require(cluster.replicas[follower]?.snapshot())
        let covered = cluster.journals[follower]?.count ?? 0
        #expect(snapshot.commitIndex > 0 && snapshot.lastIndex == 5)
        for sequence in UInt64(1)...5 {
            cluster.append("b\(sequence)", key: key(sequence, session: 2), at: leader)
        }
        // A retry of an entry from before the snapshot: the table the snapshot carried finds it.
        cluster.append("a2", key: key(2, session: 1), at: leader)
        #expect(cluster.outcomes[key(2, session: 1)] == .committed(index: 2))
        cluster.advance(by: .milliseconds(200))

        let records = cluster.journals[follower] ?? []
        let whole = Replica.recover(
            id: follower, configuration: cluster.configuration, records: records, now: cluster.now)
        let decoded = try ReplicaSnapshot(decoding: snapshot.encoded())
        #expect(decoded == snapshot)
        let fromCheckpoint = Replica.recover(
            id: follower, configuration: cluster.configuration, snapshot: decoded, records: records[covered...],
            now: cluster.now)
        #expect(fromCheckpoint.snapshot() == whole.snapshot())
        #expect(fromCheckpoint.lastIndex == 10)
        #expect(fromCheckpoint.isVoter)
    }

    @Test func aNonVoterStaysANonVoterThroughItsCheckpoint() throws {
        let configuration = ReplicaConfiguration(members: [NodeID(1), NodeID(2), NodeID(3)])
        let recovering = Replica.recover(
            id: NodeID(3), configuration: configuration, records: [.recoveryStarted], now: .zero)
        let snapshot = recovering.snapshot()
        #expect(snapshot.isRecovering)
        let restarted = Replica.recover(
            id: NodeID(3), configuration: configuration, snapshot: try ReplicaSnapshot(decoding: snapshot.encoded()),
            records: [], now: .zero)
        #expect(!restarted.isVoter)
    }

    @Test func aDamagedSnapshotIsRefusedNotMisread() throws {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        cluster.append("x", key: key(1), at: leader)
        let bytes = try #require(cluster.replicas[leader]?.snapshot().encoded())
        #expect(throws: WireDecodingError.self) { try ReplicaSnapshot(decoding: Array(bytes.dropLast())) }
        #expect(throws: WireDecodingError.self) { try ReplicaSnapshot(decoding: bytes + [0]) }
    }
}
