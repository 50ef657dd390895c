import PaxosCore
import PaxosProtocol
import PaxosReplica
import Testing

/// Retention through the log: a trim is a chosen value, so every replica moves its first index at
/// the same slot, and the de-duplication table still recognises trimmed entries.
@Suite struct TrimTests {
    /// A cluster with a leader and `count` entries from session 7.
    private func clusterWithEntries(_ count: UInt64) throws -> (ReplicaTestCluster, NodeID) {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        for sequence in 1...count {
            cluster.append("e\(sequence)", key: key(sequence), at: leader)
        }
        cluster.advance(by: .milliseconds(200))
        return (cluster, leader)
    }

    @Test func aTrimMovesTheFirstIndexOnEveryReplica() throws {
        var (cluster, leader) = try clusterWithEntries(10)
        cluster.trim(before: 6, id: 1, at: leader)
        #expect(cluster.trims[1] == .trimmed(firstIndex: 6))
        cluster.advance(by: .milliseconds(200))
        for member in cluster.configuration.members {
            #expect(cluster.replicas[member]?.firstIndex == 6, "node \(member)")
            #expect(cluster.replicas[member]?.lastIndex == 10, "node \(member)")
        }
        // The next entry still gets the next index: a trim takes none.
        cluster.append("after", key: key(11), at: leader)
        #expect(cluster.outcomes[key(11)] == .committed(index: 11))
    }

    @Test func theFirstIndexNeverMovesBackNorPastTheEnd() throws {
        var (cluster, leader) = try clusterWithEntries(5)
        cluster.trim(before: 4, id: 1, at: leader)
        cluster.trim(before: 2, id: 2, at: leader)
        #expect(cluster.trims[2] == .trimmed(firstIndex: 4))
        cluster.trim(before: 1_000, id: 3, at: leader)
        #expect(cluster.trims[3] == .trimmed(firstIndex: 6))
        cluster.append("next", key: key(6), at: leader)
        #expect(cluster.outcomes[key(6)] == .committed(index: 6))
        #expect(cluster.replicas[leader]?.firstIndex == 6)
    }

    @Test func aFollowerSendsTheClientToTheLeader() throws {
        var (cluster, leader) = try clusterWithEntries(3)
        let follower = try #require(cluster.configuration.members.first { $0 != leader })
        cluster.trim(before: 2, id: 9, at: follower)
        #expect(cluster.trims[9] == .notLeader(leader: leader))
        #expect(cluster.replicas[follower]?.firstIndex == 1)
    }

    @Test func aRetryOfATrimmedEntryIsStillRecognised() throws {
        var (cluster, leader) = try clusterWithEntries(4)
        cluster.trim(before: 5, id: 1, at: leader)
        cluster.append("e2", key: key(2), at: leader)
        #expect(cluster.outcomes[key(2)] == .committed(index: 2))
        #expect(cluster.replicas[leader]?.lastIndex == 4)
    }

    @Test func theFirstIndexSurvivesASnapshotAndTheJournal() throws {
        var (cluster, leader) = try clusterWithEntries(6)
        let follower = try #require(cluster.configuration.members.first { $0 != leader })
        cluster.trim(before: 3, id: 1, at: leader)
        cluster.advance(by: .milliseconds(200))
        let snapshot = try #require(cluster.replicas[follower]?.snapshot())
        #expect(snapshot.firstIndex == 3)
        let covered = cluster.journals[follower]?.count ?? 0
        cluster.trim(before: 5, id: 2, at: leader)
        cluster.advance(by: .milliseconds(200))
        let records = cluster.journals[follower] ?? []
        let decoded = try ReplicaSnapshot(decoding: snapshot.encoded())
        let restarted = Replica.recover(
            id: follower, configuration: cluster.configuration, snapshot: decoded, records: records[covered...],
            now: cluster.now)
        #expect(restarted.firstIndex == 5)
        let whole = Replica.recover(
            id: follower, configuration: cluster.configuration, records: records, now: cluster.now)
        #expect(whole.firstIndex == 5)
    }

    @Test func aSnapshotOfTheFirstFormatReadsWithFirstIndexOne() throws {
        let (cluster, leader) = try clusterWithEntries(2)
        var bytes = try #require(cluster.replicas[leader]?.snapshot().encoded())
        // Version 1 had no first index: drop the 8 bytes after the promise, ballot number seen,
        // commit index and last index.
        let promiseBytes = cluster.replicas[leader]?.promised == nil ? 1 : 13
        let at = promiseBytes + 24
        bytes.removeSubrange(at..<(at + 8))
        // Nor a membership (version 3's last byte says there is none).
        #expect(bytes.removeLast() == 0)
        let decoded = try ReplicaSnapshot(decoding: bytes, formatVersion: 1)
        #expect(decoded.firstIndex == 1)
        #expect(decoded.lastIndex == 2)
    }
}

/// How trims travel: as a slot value between replicas and on disk, and as client frames.
@Suite struct TrimWireTests {
    @Test func trimValuesAndFramesRoundTrip() throws {
        var writer = ByteWriter(capacity: 16)
        writer.write(SlotValue.trim(before: 42))
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readSlotValue() == .trim(before: 42))
        let request = TrimRequest(requestID: 7, before: 99)
        #expect(try TrimRequest(decoding: request.encoded()) == request)
        for status in [TrimResult.Status.trimmed(firstIndex: 12), .notLeader(leader: 3), .notLeader(leader: nil)] {
            let result = TrimResult(requestID: 5, status: status)
            #expect(try TrimResult(decoding: result.encoded()) == result)
        }
        let read = ReadResult(requestID: 1, status: .trimmed(firstIndex: 50), firstIndex: 50, entries: [], endIndex: 80)
        #expect(try ReadResult(decoding: read.encoded()) == read)
        let notHeld = ReadResult(
            requestID: 2, status: .notHeld(firstHeld: 70), firstIndex: 50, entries: [], endIndex: 80)
        #expect(try ReadResult(decoding: notHeld.encoded()) == notHeld)
    }

    @Test func aTrimToIndexZeroOrOutOfRangeIsRefused() {
        #expect(throws: WireDecodingError.self) {
            try TrimRequest(decoding: TrimRequest(requestID: 1, before: 0).encoded())
        }
        var writer = ByteWriter(capacity: 16)
        writer.write(SlotValue.trim(before: 1 << 63))
        var reader = ByteReader(writer.bytes)
        #expect(throws: WireDecodingError.self) { try reader.readSlotValue() }
    }
}

/// A replica that was away while the others trimmed and deleted what it lacks continues from the
/// base they kept, and ends with the same log state as they have.
@Suite struct CatchUpPastATrimTests {
    @Test func aReplicaBehindTheTrimContinuesFromABaseAndEndsLikeTheOthers() throws {
        var cluster = ReplicaTestCluster { $0.recentChosenSlots = 2 }
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        let away = try #require(cluster.configuration.members.first { $0 != leader })
        let other = try #require(cluster.configuration.members.first { $0 != leader && $0 != away })
        cluster.isolated = [away]
        for sequence in UInt64(1)...40 {
            cluster.append("e\(sequence)", key: key(sequence), at: leader)
            if sequence % 8 == 0 {
                cluster.advance(by: .milliseconds(50))
                cluster.checkpoint(leader)
                cluster.checkpoint(other)
            }
        }
        cluster.trim(before: 30, id: 1, at: leader)
        #expect(cluster.trims[1] == .trimmed(firstIndex: 30))
        cluster.advance(by: .milliseconds(100))
        cluster.checkpoint(leader)
        cluster.checkpoint(other)
        let leaderStore = try #require(cluster.logStores[leader])
        #expect(leaderStore.firstSlot > 1, "the leader deleted its first slots")

        cluster.isolated = []
        cluster.advance(by: .seconds(2))
        let behind = try #require(cluster.logStores[away])
        #expect(behind.startBase != nil, "the replica continued from a base")
        #expect(cluster.replicas[away]?.firstIndex == 30)
        // It holds the entries from just after its base: the first index is still the agreed one.
        #expect(try #require(behind.startBase).firstIndex <= 30)
        // The same log state as the leader's: commit index, indexes, first index and the whole
        // de-duplication table (so a retry of a trimmed entry is recognised there too).
        #expect(cluster.replicas[away]?.logBase == cluster.replicas[leader]?.logBase)
        let leaderEntries = cluster.log(of: leader)
        let awayEntries = cluster.log(of: away)
        #expect(!awayEntries.isEmpty && leaderEntries.suffix(awayEntries.count) == awayEntries[...])
        #expect(awayEntries.last == "e40")

        // It votes and serves as before: a new entry reaches it.
        cluster.append("e41", key: key(41), at: leader)
        cluster.advance(by: .milliseconds(200))
        #expect(cluster.log(of: away).last == "e41")
    }
}
