import PaxosCore
import PaxosProtocol
import PaxosReplica
import Testing

func key(_ sequence: UInt64, session: UInt64 = 7) -> ClientKey { ClientKey(session: session, sequence: sequence) }

/// Scenarios of the replicated log on a well-behaved network.
@Suite struct ReplicaTests {
    /// A cluster that has elected its first leader.
    func electedCluster(size: Int = 3, configure: (inout ReplicaConfiguration) -> Void = { _ in }) -> ReplicaTestCluster
    {
        var cluster = ReplicaTestCluster(size: size, configure: configure)
        cluster.advance(by: .seconds(2))
        return cluster
    }

    @Test func exactlyOneLeaderIsElected() throws {
        let cluster = electedCluster()
        let leader = try #require(cluster.leader)
        #expect(cluster.replicas.values.filter { $0.role == .leader }.count == 1)
        for replica in cluster.replicas.values {
            #expect(replica.leader == leader)
        }
    }

    @Test func appendCommitsOnEveryReplicaInOrder() throws {
        var cluster = electedCluster()
        let leader = try #require(cluster.leader)
        cluster.append("a", key: key(1), at: leader)
        cluster.append("b", key: key(2), at: leader)
        #expect(cluster.outcomes[key(1)] == .committed(index: 1))
        #expect(cluster.outcomes[key(2)] == .committed(index: 2))
        cluster.advance(by: .milliseconds(100))  // followers learn the commit from the next heartbeat
        for member in cluster.configuration.members {
            #expect(cluster.log(of: member) == ["a", "b"])
        }
    }

    @Test func entriesAppendedTogetherShareOneSlot() throws {
        var cluster = electedCluster()
        let leader = try #require(cluster.leader)
        let commitBefore = cluster.replicas[leader]?.commitIndex ?? 0
        cluster.appendBatch((1...5).map { ClientEntry(key: key($0), data: Array("e\($0)".utf8)) }, at: leader)
        #expect(cluster.replicas[leader]?.commitIndex == commitBefore + 1)
        #expect((1...5).map { cluster.outcomes[key($0)] } == (1...5).map { .committed(index: $0) })
    }

    @Test func followerSendsTheClientToTheLeader() throws {
        var cluster = electedCluster()
        let leader = try #require(cluster.leader)
        let follower = try #require(cluster.configuration.members.first { $0 != leader })
        cluster.append("x", key: key(1), at: follower)
        #expect(cluster.outcomes[key(1)] == .notLeader(leader: leader))
    }

    @Test func aRetryReturnsTheOriginalIndexAndAddsNothing() throws {
        var cluster = electedCluster()
        let leader = try #require(cluster.leader)
        cluster.append("once", key: key(1), at: leader)
        cluster.append("other", key: key(2), at: leader)
        cluster.outcomes = [:]
        cluster.append("once", key: key(1), at: leader)
        #expect(cluster.outcomes[key(1)] == .committed(index: 1))
        #expect(cluster.log(of: leader) == ["once", "other"])
    }

    @Test func acceptedIsSentOnlyAfterTheJournalWriteIsDurable() throws {
        var cluster = electedCluster()
        let leader = try #require(cluster.leader)
        cluster.autoSync = false
        let actions = cluster.replicas[leader]?.append([ClientEntry(key: key(1), data: [1])], now: cluster.now) ?? []
        cluster.perform(actions, by: leader)
        cluster.deliverAll()
        #expect(!cluster.inFlight.contains { if case .accepted = $0.message { return true } else { return false } })
        #expect(cluster.outcomes[key(1)] == nil, "nothing is acknowledged before a majority fsynced")
        let follower = try #require(cluster.configuration.members.first { $0 != leader })
        cluster.sync(follower)
        #expect(
            cluster.inFlight.contains {
                $0.from == follower && { if case .accepted = $0 { true } else { false } }($0.message)
            })
        cluster.deliverAll()
        #expect(cluster.outcomes[key(1)] == nil, "the leader's own write is not durable yet")
        cluster.sync(leader)
        cluster.deliverAll()
        #expect(cluster.outcomes[key(1)] == .committed(index: 1))
    }

    @Test func aNewLeaderTakesOverAndKeepsTheLog() throws {
        var cluster = electedCluster()
        let first = try #require(cluster.leader)
        cluster.append("before", key: key(1), at: first)
        cluster.isolated = [first]
        cluster.advance(by: .seconds(2))
        let second = try #require(cluster.replicas.values.first { $0.role == .leader && $0.id != first }?.id)
        cluster.append("after", key: key(2), at: second)
        #expect(cluster.outcomes[key(2)] == .committed(index: 2))
        #expect(cluster.log(of: second) == ["before", "after"])
    }

    @Test func aValueAcceptedByOneSurvivorIsReproposedByTheNewLeader() throws {
        var cluster = electedCluster()
        let first = try #require(cluster.leader)
        let others = cluster.configuration.members.filter { $0 != first }
        // The leader's accept reaches one follower only, then the leader dies.
        let actions =
            cluster.replicas[first]?.append([ClientEntry(key: key(1), data: Array("orphan".utf8))], now: cluster.now)
            ?? []
        cluster.perform(actions, by: first)
        cluster.inFlight.removeAll { $0.to == others[1] || $0.from == first && $0.to == first }
        cluster.deliverAll()
        cluster.isolated = [first]
        cluster.advance(by: .seconds(2))
        let second = try #require(cluster.replicas.values.first { $0.role == .leader && $0.id != first }?.id)
        #expect(cluster.replicas[first]?.role != .leader, "the cut-off leader stepped down without a quorum")
        cluster.advance(by: .milliseconds(100))
        #expect(cluster.log(of: second) == ["orphan"], "phase 1 found the accepted value and chose it")
        cluster.append("orphan", key: key(1), at: second)
        #expect(cluster.outcomes[key(1)] == .committed(index: 1), "the client's retry finds it")
    }

    @Test func aReplicaThatHearsTheLeaderDoesNotSupportAnElection() throws {
        var cluster = electedCluster()
        let leader = try #require(cluster.leader)
        let follower = try #require(cluster.configuration.members.first { $0 != leader })
        let ballot = cluster.replicas[leader]?.ballot
        // The follower is cut off long enough to time out repeatedly, then comes back.
        cluster.isolated = [follower]
        cluster.advance(by: .seconds(3))
        cluster.isolated = []
        cluster.advance(by: .seconds(1))
        #expect(cluster.leader == leader)
        #expect(cluster.replicas[leader]?.ballot == ballot, "the leader was not disturbed")
        #expect(cluster.replicas[follower]?.leader == leader)
    }

    @Test func aLaggingReplicaCatchesUpInChunks() throws {
        var cluster = electedCluster { $0.catchUpChunkSlots = 2 }
        let leader = try #require(cluster.leader)
        let lagging = try #require(cluster.configuration.members.first { $0 != leader })
        cluster.isolated = [lagging]
        for sequence in UInt64(1)...7 {
            cluster.append("e\(sequence)", key: key(sequence), at: leader)
        }
        cluster.isolated = []
        cluster.advance(by: .milliseconds(500))
        #expect(cluster.log(of: lagging) == (1...7).map { "e\($0)" })
    }

    @Test func aRestartedReplicaRecoversItsLogFromItsJournal() throws {
        var cluster = electedCluster()
        let leader = try #require(cluster.leader)
        for sequence in UInt64(1)...3 {
            cluster.append("e\(sequence)", key: key(sequence), at: leader)
        }
        cluster.advance(by: .milliseconds(100))
        let follower = try #require(cluster.configuration.members.first { $0 != leader })
        var replayed = SimulatedLogStore()
        let recovered = Replica.recover(
            id: follower, configuration: cluster.configuration, records: cluster.journals[follower] ?? [],
            now: cluster.now
        ) { replayed.append($0) }
        #expect(replayed.entries == cluster.logStores[follower]?.entries)
        #expect(recovered.lastIndex == cluster.replicas[follower]?.lastIndex)
        #expect(recovered.promised == cluster.replicas[follower]?.promised)
        #expect(recovered.commitIndex == cluster.replicas[follower]?.commitIndex)
    }

    @Test func pipelineIsBoundedInSlots() throws {
        var cluster = electedCluster { $0.maxSlotsInFlight = 2 }
        let leader = try #require(cluster.leader)
        cluster.autoSync = false
        for sequence in UInt64(1)...5 {
            let actions =
                cluster.replicas[leader]?.append([ClientEntry(key: key(sequence), data: [1])], now: cluster.now) ?? []
            cluster.perform(actions, by: leader)
        }
        let accepts = cluster.inFlight.compactMap { message -> Int? in
            if case .accept(_, _, let values, _) = message.message, message.to != leader {
                return values.count
            } else {
                return nil
            }
        }
        #expect(
            accepts.reduce(0, +) == 2 * (cluster.configuration.members.count - 1), "two slots in flight, per follower")
        cluster.autoSync = true
        for member in cluster.configuration.members { cluster.sync(member) }
        cluster.deliverAll()
        for _ in 0..<5 {
            for member in cluster.configuration.members { cluster.sync(member) }
            cluster.deliverAll()
        }
        #expect((1...5).allSatisfy { cluster.outcomes[key($0)] != nil })
    }
}

/// Linearizable reads through the leader.
@Suite struct ReplicaReadTests {
    @Test func leaderServesAReadAfterAMajorityConfirmsIt() throws {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        cluster.append("a", key: key(1), at: leader)
        cluster.read(id: 1, at: leader)
        #expect(cluster.reads[1] == .success(1))
    }

    @Test func aFollowerRedirectsReads() throws {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        let follower = try #require(cluster.configuration.members.first { $0 != leader })
        cluster.read(id: 1, at: follower)
        #expect(cluster.reads[1] == .failure(leader))
    }

    @Test func aCutOffLeaderCannotServeAStaleRead() throws {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let first = try #require(cluster.leader)
        cluster.isolated = [first]
        cluster.read(id: 1, at: first)
        #expect(cluster.reads[1] == nil, "no majority confirmed it")
        cluster.advance(by: .seconds(2))
        #expect(cluster.reads[1] == .failure(nil), "it stepped down and rejected the read")
    }
}

extension ReplicaTests {
    @Test func aFullLeaderQueueAnswersOverloadedAndARetryCommitsOnce() throws {
        var cluster = electedCluster {
            $0.maxSlotsInFlight = 1
            $0.maxEntriesPerSlot = 1
            $0.maxQueuedEntries = 2
        }
        let leader = try #require(cluster.leader)
        // The followers stop answering. Entries of one call are queued before any is proposed:
        // two fit in the queue, the other four are refused.
        cluster.isolated = Set(cluster.configuration.members.filter { $0 != leader })
        let entries = (UInt64(1)...6).map { ClientEntry(key: key($0), data: Array("e\($0)".utf8)) }
        cluster.appendBatch(entries, at: leader)
        let overloaded = (UInt64(1)...6).filter { cluster.outcomes[key($0)] == .overloaded }
        #expect(overloaded == [3, 4, 5, 6])
        cluster.isolated = []
        cluster.advance(by: .seconds(1))
        for sequence in overloaded {
            cluster.append("e\(sequence)", key: key(sequence), at: leader)
        }
        cluster.advance(by: .milliseconds(500))
        #expect(cluster.log(of: leader) == (1...6).map { "e\($0)" })
    }
}
