import PaxosCore
import PaxosProtocol
import PaxosReplica
import Testing

/// Leadership transfer: the leader pauses, lets the target catch up, and the target runs phase 1
/// at once; a transfer that does not happen within an election timeout is given up.
@Suite struct TransferTests {
    func electedCluster() -> ReplicaTestCluster {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        return cluster
    }

    @Test func theTargetLeadsWithinAFewHeartbeatsAndKeepsTheLog() throws {
        var cluster = electedCluster()
        let oldLeader = try #require(cluster.leader)
        let target = try #require(cluster.configuration.members.first { $0 != oldLeader })
        cluster.append("a", key: key(1), at: oldLeader)
        cluster.transfer(to: target, id: 1, at: oldLeader)
        // Far less than an election timeout (500 ms here): a few heartbeat periods of 50 ms.
        cluster.advance(by: .milliseconds(150))
        #expect(cluster.leader == target)
        #expect(cluster.transfers[1] == .transferred(to: target))
        #expect(cluster.replicas[oldLeader]?.role == .follower)
        cluster.append("b", key: key(2), at: target)
        #expect(cluster.outcomes[key(2)] == .committed(index: 2))
        cluster.advance(by: .milliseconds(200))
        for member in cluster.configuration.members {
            #expect(cluster.log(of: member) == ["a", "b"], "\(member)")
        }
    }

    @Test func entriesThatArriveDuringTheHandoverAreSentToTheNewLeader() throws {
        var cluster = electedCluster()
        let oldLeader = try #require(cluster.leader)
        let target = try #require(cluster.configuration.members.first { $0 != oldLeader })
        let actions = cluster.replicas[oldLeader]?.requestTransfer(to: target, id: 1, now: cluster.now) ?? []
        cluster.perform(actions, by: oldLeader)
        // Queued, not proposed: the log stands still while the target catches up.
        let appended =
            cluster.replicas[oldLeader]?.append([ClientEntry(key: key(1), data: Array("a".utf8))], now: cluster.now)
            ?? []
        #expect(appended.isEmpty, "no accept, no outcome: \(appended)")
        cluster.perform(appended, by: oldLeader)
        cluster.advance(by: .milliseconds(150))
        #expect(cluster.outcomes[key(1)] == .notLeader(leader: target))
        cluster.append("a", key: key(1), at: target)
        #expect(cluster.outcomes[key(1)] == .committed(index: 1))
    }

    @Test func aTargetThatCannotBeReachedIsGivenUpAndTheLeaderGoesOn() throws {
        var cluster = electedCluster()
        let leader = try #require(cluster.leader)
        let target = try #require(cluster.configuration.members.first { $0 != leader })
        cluster.isolated = [target]
        cluster.transfer(to: target, id: 1, at: leader)
        cluster.append("a", key: key(1), at: leader)
        #expect(cluster.outcomes[key(1)] == nil, "held back during the handover")
        cluster.advance(by: .milliseconds(600))
        guard case .failed(let reason) = cluster.transfers[1] else {
            Issue.record("expected the transfer to fail, got \(String(describing: cluster.transfers[1]))")
            return
        }
        #expect(reason.contains("did not take over"))
        #expect(cluster.leader == leader)
        #expect(cluster.outcomes[key(1)] == .committed(index: 1))
    }

    @Test func onlyTheLeaderTransfersAndOnlyToAMember() throws {
        var cluster = electedCluster()
        let leader = try #require(cluster.leader)
        let follower = try #require(cluster.configuration.members.first { $0 != leader })
        cluster.transfer(to: leader, id: 1, at: follower)
        #expect(cluster.transfers[1] == .notLeader(leader: leader))
        cluster.transfer(to: NodeID(9), id: 2, at: leader)
        #expect(cluster.transfers[2] == .failed("node 9 is not a member"))
        cluster.transfer(to: leader, id: 3, at: leader)
        #expect(cluster.transfers[3] == .transferred(to: leader))
    }
}
