import PaxosCore
import PaxosProtocol
import PaxosReplica
import Testing

/// A client session is one ordered stream: the log takes its entries only in sequence order, so
/// a batch lost with a dead leader cannot be overtaken by the batch sent after it.
@Suite struct StreamOrderTests {
    func electedCluster(configure: (inout ReplicaConfiguration) -> Void = { _ in }) -> ReplicaTestCluster {
        var cluster = ReplicaTestCluster(configure: configure)
        cluster.advance(by: .seconds(2))
        return cluster
    }

    @Test func anEntryBeforeItsPredecessorTakesNoIndexAndGoesInAfterIt() throws {
        var cluster = electedCluster()
        let leader = try #require(cluster.leader)
        cluster.append("b", key: key(2), at: leader)
        #expect(cluster.outcomes[key(2)] == .outOfOrder(expected: 1))
        #expect(cluster.log(of: leader).isEmpty)
        cluster.appendBatch(
            [ClientEntry(key: key(1), data: Array("a".utf8)), ClientEntry(key: key(2), data: Array("b".utf8))],
            at: leader)
        #expect(cluster.outcomes[key(1)] == .committed(index: 1))
        #expect(cluster.outcomes[key(2)] == .committed(index: 2))
        cluster.advance(by: .milliseconds(100))
        for member in cluster.configuration.members {
            #expect(cluster.log(of: member) == ["a", "b"], "\(member)")
        }
    }

    @Test func aBatchLostWithItsLeaderIsNotOvertakenByTheNextOne() throws {
        var cluster = electedCluster()
        let oldLeader = try #require(cluster.leader)
        // Two batches of one stream in two slots; the first slot's accepts are lost, the second
        // reaches a follower, so it is accepted by a majority (that follower and the leader).
        for (sequence, data) in [(UInt64(1), "a"), (2, "b")] {
            let actions =
                cluster.replicas[oldLeader]?.append(
                    [ClientEntry(key: key(sequence), data: Array(data.utf8))], now: cluster.now) ?? []
            cluster.perform(actions, by: oldLeader)
        }
        cluster.inFlight.removeAll { message in
            guard case .accept(_, _, let values, _) = message.message else { return false }
            return values.contains(.entries([ClientEntry(key: key(1), data: Array("a".utf8))]))
        }
        let follower = try #require(cluster.configuration.members.first { $0 != oldLeader })
        cluster.inFlight.removeAll { $0.to != follower }
        cluster.deliverAll()
        // The leader dies; the others elect a new one, which finds "b" accepted and chooses it.
        cluster.isolated = [oldLeader]
        cluster.advance(by: .seconds(3))
        let newLeader = try #require(cluster.replicas.values.first { $0.role == .leader && $0.id != oldLeader }?.id)
        #expect(cluster.log(of: newLeader).isEmpty, "b came before a: it must take no index")
        // The client sends both again, in order.
        cluster.appendBatch(
            [ClientEntry(key: key(1), data: Array("a".utf8)), ClientEntry(key: key(2), data: Array("b".utf8))],
            at: newLeader)
        #expect(cluster.outcomes[key(1)] == .committed(index: 1))
        #expect(cluster.outcomes[key(2)] == .committed(index: 2))
        cluster.isolated = []
        cluster.advance(by: .seconds(2))
        for member in cluster.configuration.members {
            #expect(cluster.log(of: member) == ["a", "b"], "\(member)")
        }
    }

    @Test func aForgottenSessionStartsOverAndARememberedOneKeepsItsOrder() throws {
        var cluster = electedCluster {
            $0.dedupWindow = 4
            $0.dedupMaxKeys = 8
            $0.dedupMaxSessions = 4
        }
        let leader = try #require(cluster.leader)
        for session in UInt64(1)...8 {
            cluster.append("s\(session)-1", key: key(1, session: session), at: leader)
            try #require(cluster.outcomes[key(1, session: session)] == .committed(index: session))
        }
        // Session 8 is remembered: a gap in it is refused.
        cluster.append("s8-3", key: key(3, session: 8), at: leader)
        #expect(cluster.outcomes[key(3, session: 8)] == .outOfOrder(expected: 2))
        // Session 1 was forgotten whole: it starts over at its first entry only.
        cluster.append("s1-2", key: key(2, session: 1), at: leader)
        #expect(cluster.outcomes[key(2, session: 1)] == .outOfOrder(expected: 1))
        #expect(cluster.log(of: leader).count == 8)
    }
}
