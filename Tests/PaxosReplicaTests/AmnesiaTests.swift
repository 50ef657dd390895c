import PaxosCore
import PaxosProtocol
import PaxosReplica
import Testing

/// A replica that lost its state must not vote until it has rebuilt it from the others.
@Suite struct AmnesiaTests {
    /// The schedule fault injection found: follower F is cut off; the leader L and follower V
    /// acknowledge 20 entries; V loses its whole journal and restarts (`detected`: it knows, and
    /// its journal starts with `.recoveryStarted`); L dies; F comes back.
    func amnesiaSchedule(detected: Bool) throws -> (cluster: ReplicaTestCluster, leader: NodeID, lost: NodeID) {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        let others = cluster.configuration.members.filter { $0 != leader }
        let (paused, forgetful) = (others[0], others[1])
        cluster.isolated = [paused]
        for sequence in UInt64(1)...20 {
            cluster.append("e\(sequence)", key: key(sequence), at: leader)
            try #require(cluster.outcomes[key(sequence)] == .committed(index: sequence))
        }
        cluster.journals[forgetful] = detected ? [.recoveryStarted] : []
        cluster.logStores[forgetful] = SimulatedLogStore()
        cluster.replicas[forgetful] = Replica.recover(
            id: forgetful, configuration: cluster.configuration, records: cluster.journals[forgetful] ?? [],
            now: cluster.now)
        cluster.isolated = [leader]
        cluster.advance(by: .seconds(5))
        // A client of the surviving pair tries to append.
        for member in others {
            cluster.append("intruder", key: key(1, session: 99), at: member)
        }
        cluster.advance(by: .seconds(1))
        return (cluster, leader, forgetful)
    }

    @Test func aReplicaWithLostStateWaitsForAMemberThatRemembers() throws {
        var (cluster, leader, forgetful) = try amnesiaSchedule(detected: true)
        #expect(cluster.replicas[forgetful]?.isVoter == false)
        for member in cluster.configuration.members where member != leader {
            #expect(cluster.replicas[member]?.role != .leader, "no majority without the old leader")
            #expect(cluster.log(of: member).allSatisfy { $0 != "intruder" })
        }
        // The old leader returns: the forgetful replica rebuilds from it and votes again.
        cluster.isolated = []
        cluster.advance(by: .seconds(6))
        #expect(cluster.replicas[forgetful]?.isVoter == true)
        let acknowledged = (1...20).map { "e\($0)" }
        for member in cluster.configuration.members {
            #expect(Array(cluster.log(of: member).prefix(20)) == acknowledged, "\(member)")
        }
        // And the cluster serves again.
        let current = try #require(cluster.leader)
        cluster.append("after", key: key(21), at: current)
        #expect(cluster.outcomes[key(21)] != nil)
    }

    @Test func theCheckIsNeededWithoutItTheScheduleLosesAcknowledgedEntries() throws {
        // The same schedule with the loss undetected: the forgetful replica votes at once and the
        // pair that never saw e1…e20 chooses something else at index 1.
        let (cluster, leader, _) = try amnesiaSchedule(detected: false)
        let survivors = cluster.configuration.members.filter { $0 != leader }
        #expect(survivors.contains { cluster.log(of: $0).first == "intruder" })
    }

    @Test func recoveryIsDurableARestartDuringRecoveryStaysANonVoter() throws {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        let forgetful = try #require(cluster.configuration.members.first { $0 != leader })
        cluster.append("a", key: key(1), at: leader)
        let records: [PersistRecord] = [.recoveryStarted, .promise(Ballot(number: 1, uid: leader))]
        let restarted = Replica.recover(
            id: forgetful, configuration: cluster.configuration, records: records, now: cluster.now)
        #expect(!restarted.isVoter)
        let rebuilt = Replica.recover(
            id: forgetful, configuration: cluster.configuration,
            records: records + [.recoveryCompleted(ballot: Ballot(number: 9, uid: forgetful))], now: cluster.now)
        #expect(rebuilt.isVoter)
        #expect(rebuilt.promised == Ballot(number: 9, uid: forgetful))
    }

    @Test func aNonVoterNeitherPromisesNorAcceptsNorSupports() throws {
        let configuration = ReplicaConfiguration(members: [NodeID(1), NodeID(2), NodeID(3)])
        var replica = Replica.recover(
            id: NodeID(3), configuration: configuration, records: [.recoveryStarted], now: .zero)
        let ballot = Ballot(number: 5, uid: NodeID(1))
        var actions = replica.receive(.prepare(ballot: ballot, fromSlot: 1), from: NodeID(1), now: .zero)
        actions += replica.receive(.preVote(commitIndex: 0), from: NodeID(2), now: .zero)
        actions += replica.receive(
            .accept(ballot: ballot, firstSlot: 1, values: [.noop], commitIndex: 0), from: NodeID(1), now: .zero)
        actions += replica.receive(.heartbeat(ballot: ballot, commitIndex: 0, round: 1), from: NodeID(1), now: .zero)
        for action in actions {
            switch action {
            case .persist(let record, _):
                Issue.record("a non-voter persisted \(record)")
            case .send(.promise, _), .send(.accepted, _), .send(.heartbeatReply, _):
                Issue.record("a non-voter vouched: \(action)")
            case .send(.preVoteReply(let granted, _, _), _):
                #expect(!granted)
            default:
                break
            }
        }
        #expect(replica.leader == NodeID(1), "it still follows the leader to learn the log")
    }
}

extension AmnesiaTests {
    @Test func aPromiseFromAPeerThatSinceLostStateNoLongerCounts() throws {
        var cluster = ReplicaTestCluster(size: 5)
        let candidate = NodeID(1)
        cluster.perform(cluster.replicas[candidate]?.tick(now: cluster.now + .seconds(2)) ?? [], by: candidate)
        for voter in [NodeID(2), NodeID(3)] {
            let actions = cluster.replicas[candidate]?.receive(
                .preVoteReply(granted: true, promised: nil, commitIndex: 0), from: voter, now: cluster.now + .seconds(2)
            )
            cluster.perform(actions ?? [], by: candidate)
        }
        let ballot = try #require(
            cluster.inFlight.compactMap { entry -> Ballot? in
                if case .prepare(let ballot, _) = entry.message { return ballot }
                return nil
            }.first)
        let now = cluster.now + .seconds(2)
        _ = cluster.replicas[candidate]?.receive(.promise(ballot: ballot, reports: []), from: NodeID(2), now: now)
        // Node 2 restarts with lost state: its promise is gone with it.
        cluster.replicas[candidate]?.peerRestartedWithLostState(NodeID(2))
        _ = cluster.replicas[candidate]?.receive(.promise(ballot: ballot, reports: []), from: NodeID(3), now: now)
        #expect(cluster.replicas[candidate]?.role == .candidate, "two promises of five, with its own: no majority")
        _ = cluster.replicas[candidate]?.receive(.promise(ballot: ballot, reports: []), from: NodeID(4), now: now)
        #expect(cluster.replicas[candidate]?.role == .leader)
    }
}

extension AmnesiaTests {
    /// A data directory restored from an older copy looks healthy to the node itself. Its leader,
    /// which it had acknowledged more, notices the first time it answers a heartbeat, and tells
    /// it: the node rebuilds as a non-voter, so the schedule that lost 2,000 entries loses none.
    @Test func aReplicaRestoredFromAnOlderCopyIsToldByItsLeaderAndDoesNotVote() throws {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        let others = cluster.configuration.members.filter { $0 != leader }
        let (paused, restored) = (others[0], others[1])
        let olderCopy = cluster.journals[restored] ?? []
        cluster.isolated = [paused]
        for sequence in UInt64(1)...20 {
            cluster.append("e\(sequence)", key: key(sequence), at: leader)
            try #require(cluster.outcomes[key(sequence)] == .committed(index: sequence))
        }
        // The node is stopped and its data directory replaced by the copy taken before e1…e20.
        cluster.journals[restored] = olderCopy
        cluster.logStores[restored] = SimulatedLogStore()
        cluster.replicas[restored] = Replica.recover(
            id: restored, configuration: cluster.configuration, records: olderCopy, now: cluster.now)
        #expect(cluster.replicas[restored]?.isVoter == true, "the copy itself looks healthy")
        // Its new connections reach the leader's transport.
        cluster.replicas[leader]?.peerReconnected(restored)
        cluster.advance(by: .milliseconds(300))
        #expect(cluster.replicas[restored]?.isVoter == false, "the leader told it")
        #expect(cluster.journals[restored]?.contains(.recoveryStarted) == true, "and that is durable")
        // The leader dies; the restored node and the one that never saw e1…e20 are not a majority.
        cluster.isolated = [leader]
        cluster.advance(by: .seconds(5))
        for member in others {
            cluster.append("intruder", key: key(1, session: 99), at: member)
        }
        cluster.advance(by: .seconds(1))
        for member in others {
            #expect(cluster.replicas[member]?.role != .leader)
            #expect(cluster.log(of: member).allSatisfy { $0 != "intruder" })
        }
        cluster.isolated = []
        cluster.advance(by: .seconds(6))
        let acknowledged = (1...20).map { "e\($0)" }
        for member in cluster.configuration.members {
            #expect(Array(cluster.log(of: member).prefix(20)) == acknowledged, "\(member)")
        }
    }
}

/// Every run of a replica votes for nobody until a leader has compared its start with what it
/// acknowledged, or until its first election timeout passes with no leader heard.
extension AmnesiaTests {
    /// The restored node's first messages after the restart are a pre-vote and a prepare from the
    /// follower that never saw e1…e20 and was cut off from the leader: counted, they would make
    /// it leader of a majority that lacks every acknowledged entry.
    @Test func aRestoredRunVotesForNobodyBeforeItsLeaderHasCheckedIt() throws {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        let others = cluster.configuration.members.filter { $0 != leader }
        let (cutOff, restored) = (others[0], others[1])
        let olderCopy = cluster.journals[restored] ?? []
        cluster.isolated = [cutOff]
        for sequence in UInt64(1)...20 {
            cluster.append("e\(sequence)", key: key(sequence), at: leader)
            try #require(cluster.outcomes[key(sequence)] == .committed(index: sequence))
        }
        cluster.journals[restored] = olderCopy
        cluster.logStores[restored] = SimulatedLogStore()
        var replica = Replica.recover(
            id: restored, configuration: cluster.configuration, records: olderCopy, now: cluster.now)
        let candidateCommit = try #require(cluster.replicas[cutOff]?.commitIndex)
        var answers = replica.receive(.preVote(commitIndex: candidateCommit), from: cutOff, now: cluster.now)
        answers += replica.receive(
            .prepare(ballot: Ballot(number: 100, uid: cutOff), fromSlot: 1), from: cutOff, now: cluster.now)
        for answer in answers {
            switch answer {
            case .send(.preVoteReply(let granted, _, _), _):
                #expect(!granted, "a pre-vote granted before the check")
            case .send(.promise, _), .persist(.promise, _):
                Issue.record("a promise before the check: \(answer)")
            default:
                break
            }
        }
        #expect(replica.withholdsVotes(now: cluster.now))
        cluster.replicas[restored] = replica
        // The leader's heartbeat reaches it; its reply asks for the check; the leader finds it
        // holds less than it acknowledged and tells it.
        cluster.replicas[leader]?.peerReconnected(restored)
        cluster.advance(by: .milliseconds(300))
        #expect(cluster.replicas[restored]?.isVoter == false)
        #expect(cluster.replicas[restored]?.startChecked == false)
    }

    /// A restart that lost nothing is checked at its leader's first heartbeat, and votes again at
    /// once (it need not wait out its first election timeout).
    @Test func aHealthyRestartIsCheckedAtItsFirstHeartbeatReply() throws {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        for sequence in UInt64(1)...5 {
            cluster.append("e\(sequence)", key: key(sequence), at: leader)
        }
        let follower = try #require(cluster.configuration.members.first { $0 != leader })
        cluster.replicas[follower] = Replica.recover(
            id: follower, configuration: cluster.configuration, records: cluster.journals[follower] ?? [],
            now: cluster.now)
        let restartedAt = cluster.now
        #expect(cluster.replicas[follower]?.startChecked == false)
        cluster.replicas[leader]?.peerReconnected(follower)
        cluster.advance(by: .milliseconds(300))
        #expect(cluster.replicas[follower]?.startChecked == true)
        #expect(cluster.replicas[follower]?.isVoter == true)
        #expect(cluster.replicas[follower]?.withholdsVotes(now: cluster.now) == false)
        #expect(cluster.now - restartedAt < cluster.configuration.electionTimeout)
        // A handover to it works at once.
        cluster.transfer(to: follower, id: 1, at: leader)
        cluster.advance(by: .milliseconds(500))
        #expect(cluster.leader == follower)
    }

    /// The documented limit: a run that hears no leader within its first election timeout (the
    /// leader that could check it is gone) votes after it, so that a cluster whose members all
    /// restart elects a leader.
    @Test func aRunThatHearsNoLeaderVotesAfterItsFirstElectionTimeout() throws {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        cluster.append("before", key: key(1), at: leader)
        for member in cluster.configuration.members {
            cluster.replicas[member] = Replica.recover(
                id: member, configuration: cluster.configuration, records: cluster.journals[member] ?? [],
                now: cluster.now)
        }
        let restartedAt = cluster.now
        cluster.advance(by: cluster.configuration.electionTimeout / 2)
        #expect(cluster.leader == nil, "no run votes within its first election timeout")
        cluster.advance(by: .seconds(3))
        let newLeader = try #require(cluster.leader)
        #expect(cluster.now - restartedAt > cluster.configuration.electionTimeout)
        cluster.append("after", key: key(2), at: newLeader)
        #expect(cluster.outcomes[key(2)] == .committed(index: 2))
    }
}
