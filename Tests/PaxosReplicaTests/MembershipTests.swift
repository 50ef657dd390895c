import PaxosCore
import PaxosProtocol
import PaxosReplica
import Testing

/// Membership changes through the log: learners, promotion, removal, and the refusals an
/// operator relies on.
@Suite struct MembershipTests {
    static let spare = NodeID(4)

    /// Three voters and a spare node (4) that is in no membership yet, with a leader and `entries`
    /// entries committed.
    func cluster(entries: Int = 5) throws -> (ReplicaTestCluster, NodeID) {
        var cluster = ReplicaTestCluster(size: 3, spares: 1)
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        for sequence in UInt64(1)...UInt64(entries) {
            cluster.append("e\(sequence)", key: key(sequence), at: leader)
            try #require(cluster.outcomes[key(sequence)] == .committed(index: sequence))
        }
        return (cluster, leader)
    }

    func changed(_ outcome: MembershipOutcome?) -> Membership? {
        if case .changed(let membership, _) = outcome { membership } else { nil }
    }

    func refusal(_ outcome: MembershipOutcome?) -> String? {
        if case .refused(let reason) = outcome { reason } else { nil }
    }

    @Test func aLearnerReceivesTheWholeLogAndCountsInNoQuorum() throws {
        var (cluster, leader) = try cluster()
        #expect(cluster.replicas[Self.spare]?.membership.contains(Self.spare) == false)
        cluster.changeMembership(.addLearner(Self.spare, address: "unix:/tmp/n4.sock"), id: 1, at: leader)
        cluster.advance(by: .milliseconds(500))
        let membership = try #require(changed(cluster.memberships[1]))
        #expect(membership.voters == [NodeID(1), NodeID(2), NodeID(3)])
        #expect(membership.learners == [Self.spare])
        #expect(membership.address(of: Self.spare) == "unix:/tmp/n4.sock")
        #expect(cluster.log(of: Self.spare) == (1...5).map { "e\($0)" }, "it caught up from slot 1")
        #expect(cluster.replicas[Self.spare]?.membership == membership, "and learned that it is a learner")
        // With two voters cut off, the leader and the learner choose nothing.
        let cut = cluster.configuration.members.filter { $0 != leader }
        cluster.isolated = Set(cut)
        cluster.append("alone", key: key(6), at: leader)
        cluster.advance(by: .milliseconds(300))
        #expect(cluster.outcomes[key(6)] == nil)
        #expect(cluster.replicas[Self.spare]?.role != .leader)
        // Nor does the learner ever stand for election, even when it hears no leader.
        cluster.isolated = Set(cut + [leader])
        cluster.advance(by: .seconds(3))
        #expect(cluster.replicas[Self.spare]?.role == .follower)
    }

    @Test func aLearnerIsPromotedOnlyOnceCaughtUpAndThenCountsInTheQuorum() throws {
        var (cluster, leader) = try cluster(entries: 70)
        cluster.isolated = [Self.spare]
        cluster.changeMembership(.addLearner(Self.spare, address: ""), id: 1, at: leader)
        cluster.advance(by: .milliseconds(300))
        #expect(changed(cluster.memberships[1]) != nil)
        cluster.changeMembership(.promote(Self.spare), id: 2, at: leader)
        #expect(
            refusal(cluster.memberships[2])?.contains("not answering") == true,
            "\(String(describing: cluster.memberships[2]))")
        cluster.isolated = []
        cluster.advance(by: .milliseconds(500))
        cluster.changeMembership(.promote(Self.spare), id: 3, at: leader)
        cluster.advance(by: .milliseconds(500))
        let membership = try #require(changed(cluster.memberships[3]))
        #expect(membership.voters.count == 4)
        // The leader ran phase 1 again under the four voters, and leads on.
        let current = try #require(cluster.leader)
        cluster.append("four voters", key: key(71), at: current)
        cluster.advance(by: .milliseconds(300))
        #expect(cluster.outcomes[key(71)] == .committed(index: 71))
        // Three of four is the quorum now: the leader and one other voter choose nothing.
        let others = membership.voters.filter { $0 != current }
        cluster.isolated = Set(others.prefix(2))
        cluster.append("two of four", key: key(72), at: current)
        cluster.advance(by: .milliseconds(300))
        #expect(cluster.outcomes[key(72)] == nil)
        // A promoted member can lead: hand over to it.
        cluster.isolated = []
        cluster.advance(by: .seconds(1))
        let now = try #require(cluster.leader)
        if now != Self.spare {
            cluster.transfer(to: Self.spare, id: 9, at: now)
            cluster.advance(by: .milliseconds(500))
            #expect(cluster.leader == Self.spare)
        }
        for member in membership.voters {
            #expect(cluster.log(of: member) == (1...70).map { "e\($0)" } + ["four voters", "two of four"], "\(member)")
        }
    }

    @Test func aRemovedVoterNoLongerCountsAndTheLeaderMustHandOverFirst() throws {
        var (cluster, leader) = try cluster()
        let removed = try #require(cluster.configuration.members.first { $0 != leader })
        cluster.changeMembership(.remove(leader), id: 1, at: leader)
        #expect(refusal(cluster.memberships[1])?.contains("hand leadership to another voter first") == true)
        cluster.changeMembership(.remove(removed), id: 2, at: leader)
        cluster.advance(by: .milliseconds(500))
        let membership = try #require(changed(cluster.memberships[2]))
        #expect(!membership.contains(removed))
        // Two voters: both are needed, and the removed node is not one of them.
        let current = try #require(cluster.leader)
        cluster.isolated = [removed]
        cluster.append("two voters", key: key(6), at: current)
        cluster.advance(by: .milliseconds(300))
        #expect(cluster.outcomes[key(6)] == .committed(index: 6))
        let remaining = try #require(membership.voters.first { $0 != current })
        cluster.isolated = [remaining]
        cluster.append("without the other voter", key: key(7), at: current)
        cluster.advance(by: .milliseconds(300))
        #expect(cluster.outcomes[key(7)] == nil, "the removed node's acknowledgement does not count")
        // The removed node stands for nothing.
        cluster.isolated = Set(membership.voters)
        cluster.advance(by: .seconds(3))
        #expect(cluster.replicas[removed]?.role != .leader)
    }

    @Test func aChangeThatWouldLeaveTooFewRunningVotersIsRefused() throws {
        var (cluster, leader) = try cluster()
        cluster.changeMembership(.addLearner(Self.spare, address: ""), id: 1, at: leader)
        cluster.advance(by: .milliseconds(500))
        let others = cluster.configuration.members.filter { $0 != leader }
        // One voter down: promoting the learner leaves 3 of 4 running, a quorum.
        // Two voters down: 2 of 4 would run, and the new quorum is 3.
        cluster.isolated = Set(others)
        cluster.advance(by: .milliseconds(300))
        cluster.changeMembership(.promote(Self.spare), id: 2, at: leader)
        #expect(
            refusal(cluster.memberships[2])?.contains("fewer than the 3 a quorum needs") == true,
            "\(String(describing: cluster.memberships[2]))")
        cluster.changeMembership(.addLearner(Self.spare, address: ""), id: 3, at: leader)
        #expect(refusal(cluster.memberships[3])?.contains("already a member") == true)
        cluster.changeMembership(.promote(NodeID(9)), id: 4, at: leader)
        #expect(refusal(cluster.memberships[4])?.contains("not a member") == true)
    }

    /// A learner that lost state runs no recovery ballot: winning one would make it lead. It
    /// learns the log as a non-voter until it is removed (and added again with an empty directory).
    @Test func aLearnerThatLostStateNeverLeads() throws {
        var (cluster, leader) = try cluster()
        cluster.changeMembership(.addLearner(Self.spare, address: ""), id: 1, at: leader)
        cluster.advance(by: .milliseconds(500))
        cluster.journals[Self.spare] = [.recoveryStarted]
        cluster.logStores[Self.spare] = SimulatedLogStore()
        cluster.replicas[Self.spare] = Replica.recover(
            id: Self.spare, configuration: cluster.configuration, records: [.recoveryStarted], now: cluster.now)
        cluster.advance(by: .seconds(5))
        #expect(cluster.replicas[Self.spare]?.role != .leader)
        #expect(cluster.replicas[Self.spare]?.isVoter == false)
        #expect(cluster.leader == leader)
        #expect(cluster.log(of: Self.spare) == (1...5).map { "e\($0)" }, "it still learns the log")
        cluster.changeMembership(.promote(Self.spare), id: 2, at: leader)
        #expect(refusal(cluster.memberships[2]) != nil, "and is not promoted")
    }

    @Test func aFollowerAsksNoneAndIsToldTheLeader() throws {
        var (cluster, leader) = try cluster()
        let follower = try #require(cluster.configuration.members.first { $0 != leader })
        cluster.changeMembership(.addLearner(Self.spare, address: ""), id: 1, at: follower)
        #expect(cluster.memberships[1] == .notLeader(leader: leader))
    }

    @Test func membershipsSurviveSnapshotsBasesAndTheWire() throws {
        let membership = Membership(
            voters: [NodeID(1), NodeID(2), NodeID(5)], learners: [NodeID(7)],
            addresses: [NodeID(5): "tcp:10.0.0.5:7000", NodeID(7): "unix:/tmp/é.sock"])
        var writer = ByteWriter()
        writer.write(SlotValue.membership(membership))
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readSlotValue() == .membership(membership))
        // As the log store keeps it: a chosen slot that takes no index.
        let chosen = ChosenSlot(slot: 4, value: .membership(membership), firstIndex: 8)
        let stored = try EncodedChosenSlot(decoding: chosen.encoded())
        #expect(stored.slot == 4 && stored.appliedRanges.isEmpty)
        #expect(try ChosenSlot(decoding: chosen.encoded()) == chosen)
        let base = LogBase(slot: 9, lastIndex: 20, firstIndex: 3, dedup: [], membership: membership)
        #expect(try LogBase(decoding: base.encoded()) == base)
        let plain = LogBase(slot: 9, lastIndex: 20, firstIndex: 3, dedup: [])
        #expect(try LogBase(decoding: plain.encoded()).membership == nil)
        // A replica restarted from a snapshot keeps the membership the log agreed.
        var (cluster, leader) = try cluster()
        cluster.changeMembership(.addLearner(Self.spare, address: "a"), id: 1, at: leader)
        cluster.advance(by: .milliseconds(300))
        let snapshot = try #require(cluster.replicas[leader]?.snapshot())
        let decoded = try ReplicaSnapshot(decoding: snapshot.encoded())
        #expect(decoded.membership?.learners == [Self.spare])
        let restarted = Replica.recover(
            id: leader, configuration: cluster.configuration, snapshot: decoded, records: [], now: cluster.now)
        #expect(restarted.membership.learners == [Self.spare])
        // And so does one that replays its journal from the start.
        let replayed = Replica.recover(
            id: leader, configuration: cluster.configuration, records: cluster.journals[leader] ?? [], now: cluster.now)
        #expect(replayed.membership.learners == [Self.spare])
    }

    /// Only the leader tells removed members of their removal, so only its node keeps links to them
    /// until they know: a follower's list would never empty, and its links would redial a node that
    /// stopped (found by a second review).
    @Test func onlyTheLeaderKeepsDepartedMembersUntilTheyKnow() throws {
        var cluster = ReplicaTestCluster(size: 3, spares: 1)
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        let others = cluster.configuration.members.filter { $0 != leader }
        let (removed, follower) = (others[0], others[1])
        cluster.changeMembership(.remove(removed), id: 1, at: leader)
        #expect(cluster.replicas[follower]?.departedMembers.isEmpty == true)
        cluster.advance(by: .seconds(30))
        #expect(cluster.leader == leader)
        #expect(cluster.replicas[leader]?.departedMembers.isEmpty == true, "the removed member said it knows")
        #expect(cluster.replicas[follower]?.departedMembers.isEmpty == true)
    }
}
