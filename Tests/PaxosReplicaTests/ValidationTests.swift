import PaxosCore
import PaxosProtocol
import PaxosReplica
import Testing

/// Peer messages are checked against protocol state before they touch the replica.
@Suite struct ValidationTests {
    func elected() throws -> (cluster: ReplicaTestCluster, leader: NodeID, follower: NodeID) {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        let follower = try #require(cluster.configuration.members.first { $0 != leader })
        cluster.append("real", key: key(1), at: leader)
        cluster.advance(by: .milliseconds(100))
        return (cluster, leader, follower)
    }

    static func dropped(_ actions: [ReplicaAction]) -> [MessageRejection] {
        actions.compactMap { if case .messageDropped(_, let reason) = $0 { reason } else { nil } }
    }

    @Test func aForgedCatchUpReplyIsDroppedAndNeverApplied() throws {
        var (cluster, leader, follower) = try elected()
        let forged = ClientEntry(key: key(1, session: 666), data: Array("no client sent this".utf8))
        // No request is outstanding: a reply from anyone, the leader included, is dropped.
        for sender in cluster.configuration.members where sender != follower {
            let actions =
                cluster.replicas[follower]?.receive(
                    .catchUpReply(firstSlot: 2, values: [.entries([forged])], commitIndex: 2), from: sender,
                    now: cluster.now) ?? []
            #expect(Self.dropped(actions).count == 1, "from \(sender)")
        }
        #expect(cluster.log(of: follower) == ["real"])
        #expect(cluster.replicas[follower]?.droppedMessages == 2)
        _ = leader
    }

    @Test func aCatchUpReplyCountsOnlyFromThePeerAsked() throws {
        var cluster = ReplicaTestCluster { $0.catchUpChunkSlots = 1 }
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        let others = cluster.configuration.members.filter { $0 != leader }
        let (lagging, bystander) = (others[0], others[1])
        cluster.isolated = [lagging]
        cluster.append("a", key: key(1), at: leader)
        cluster.append("b", key: key(2), at: leader)
        cluster.isolated = []
        // The leader's heartbeat makes the lagging replica ask it (and only it) for slots.
        let ballot = try #require(cluster.replicas[leader]?.ballot)
        let heartbeat = cluster.replicas[lagging]?.receive(
            .heartbeat(ballot: ballot, commitIndex: 2, round: 99), from: leader, now: cluster.now)
        #expect(heartbeat?.contains { if case .send(.catchUpRequest, to: leader) = $0 { true } else { false } } == true)
        let forged = ClientEntry(key: key(1, session: 666), data: Array("forged".utf8))
        let fromBystander =
            cluster.replicas[lagging]?.receive(
                .catchUpReply(firstSlot: 1, values: [.entries([forged])], commitIndex: 2), from: bystander,
                now: cluster.now) ?? []
        #expect(Self.dropped(fromBystander).count == 1)
        #expect(cluster.log(of: lagging).isEmpty)
        cluster.advance(by: .milliseconds(500))
        #expect(cluster.log(of: lagging) == ["a", "b"], "the real answer still arrives")
    }

    @Test func malformedMessagesAreDroppedAndChangeNothing() throws {
        var (cluster, leader, follower) = try elected()
        let ballot = try #require(cluster.replicas[leader]?.ballot)
        let before = cluster.replicas[follower]
        let third = try #require(cluster.configuration.members.first { $0 != leader && $0 != follower })
        let hostile: [(ReplicaMessage, NodeID)] = [
            // A member speaking under another's ballot.
            (.accept(ballot: ballot, firstSlot: 2, values: [.noop], commitIndex: 2), third),
            (.heartbeat(ballot: Ballot(number: UInt64.max, uid: leader), commitIndex: 1, round: 1), leader),
            (.prepare(ballot: Ballot(number: 9, uid: NodeID(42)), fromSlot: 1), leader),
            (.accept(ballot: ballot, firstSlot: UInt64.max - 1, values: [.noop, .noop], commitIndex: 0), leader),
            (.accept(ballot: ballot, firstSlot: 0, values: [.noop], commitIndex: 0), leader),
            (.accepted(ballot: ballot, firstSlot: 1, count: 0), leader),
        ]
        for (message, sender) in hostile where sender != follower {
            let actions = cluster.replicas[follower]?.receive(message, from: sender, now: cluster.now) ?? []
            #expect(Self.dropped(actions).allSatisfy { if case .malformed = $0 { true } else { false } })
            #expect(Self.dropped(actions).count == 1, "\(message)")
            #expect(actions.count == 1, "nothing but the drop: \(actions)")
        }
        #expect(cluster.replicas[follower]?.promised == before?.promised)
        #expect(cluster.replicas[follower]?.commitIndex == before?.commitIndex)
        // A node this replica does not know as a voter may be one it has not learned of yet (the
        // membership is agreed through the log): its pre-vote is well-formed (and, with a live
        // leader, not granted).
        let stranger = cluster.replicas[follower]?.receive(.preVote(commitIndex: 5), from: NodeID(42), now: cluster.now)
        #expect(Self.dropped(stranger ?? []).isEmpty)
        #expect(
            stranger?.contains {
                if case .send(.preVoteReply(granted: false, _, _), to: NodeID(42)) = $0 { true } else { false }
            }
                == true)
    }
}
