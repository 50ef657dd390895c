import PaxosCore
import PaxosProtocol
import PaxosReplica
import Testing

/// A node whose log store lost chosen slots below its checkpoint (damage cut away): the replica
/// goes back to the store's end, keeps its promise, votes for nobody until it has learned the
/// slots again from its peers, and then votes as before (`Replica+StoreRepair.swift`).
@Suite struct StoreRepairTests {
    private func key(_ sequence: UInt64) -> ClientKey { ClientKey(session: 7, sequence: sequence) }

    @Test func aReplicaThatLostChosenSlotsVotesForNobodyUntilItHasLearnedThemAgain() throws {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        let others = cluster.configuration.members.filter { $0 != leader }
        let (follower, candidate) = (others[0], others[1])
        for sequence in UInt64(1)...5 {
            cluster.append("e\(sequence)", key: key(sequence), at: leader)
        }
        cluster.advance(by: .milliseconds(300))
        let early = try #require(cluster.replicas[follower]?.snapshot())
        for sequence in UInt64(6)...20 {
            cluster.append("e\(sequence)", key: key(sequence), at: leader)
        }
        cluster.advance(by: .milliseconds(300))
        let late = try #require(cluster.replicas[follower]?.snapshot())
        try #require(late.commitIndex > early.commitIndex)

        // The store is cut back to where it stood at `early`; the checkpoint says `late`.
        var store = try #require(cluster.logStores[follower])
        store.dropLast(Int(store.lastSlot - early.commitIndex))
        cluster.logStores[follower] = store
        var replica = Replica.recover(
            id: follower, configuration: cluster.configuration, snapshot: late.rolledBack(to: early.logBase),
            records: [], now: cluster.now)
        replica.holdVotes(untilCommitted: late.commitIndex)
        #expect(replica.commitIndex == early.commitIndex)
        #expect(replica.lastIndex == early.lastIndex)
        #expect(replica.promised == late.promised, "the promise stays")

        // A candidate that knows no more than the store's end gets neither a pre-vote nor a promise,
        // even after the replica's first election timeout.
        let afterStart = cluster.now + cluster.configuration.electionTimeout * 2
        var answers = replica.receive(.preVote(commitIndex: early.commitIndex), from: candidate, now: afterStart)
        answers += replica.receive(
            .prepare(ballot: Ballot(number: 100, uid: candidate), fromSlot: early.commitIndex + 1), from: candidate,
            now: afterStart)
        for answer in answers {
            switch answer {
            case .send(.preVoteReply(let granted, _, _), _):
                #expect(!granted, "a pre-vote granted with slots unknown")
            case .send(.promise, _), .persist(.promise, _):
                Issue.record("a promise with slots unknown: \(answer)")
            default:
                break
            }
        }
        #expect(replica.withholdsVotes(now: afterStart))

        // Its leader's heartbeats bring the slots back by catch-up; it is not taken for a node
        // that lost what it acknowledged (it knew those slots chosen), and it votes again.
        cluster.replicas[follower] = replica
        cluster.replicas[leader]?.peerReconnected(follower)
        cluster.advance(by: .seconds(1))
        let repaired = try #require(cluster.replicas[follower])
        let caughtUp = repaired.commitIndex >= late.commitIndex
        #expect(caughtUp)
        #expect(cluster.log(of: follower) == cluster.log(of: leader))
        let votes = repaired.isVoter
        #expect(votes, "taken for a node that lost what it acknowledged")
        #expect(!repaired.withholdsVotes(now: cluster.now))
        cluster.transfer(to: follower, id: 1, at: leader)
        cluster.advance(by: .milliseconds(500))
        #expect(cluster.leader == follower, "it leads after a handover: it votes again")
    }

    /// An accept journaled after the checkpoint for slots the replica already knew chosen (a stale
    /// leader's resend), then a commit mark of that ballot: the normal replay ignores those slots,
    /// and the replay over the rolled-back state must too, or it would apply the accepted values as
    /// chosen (found by a second review).
    @Test func aRolledBackReplayAppliesNoAcceptedValueBelowTheCheckpoint() throws {
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        let follower = try #require(cluster.configuration.members.first { $0 != leader })
        for sequence in UInt64(1)...5 { cluster.append("e\(sequence)", key: key(sequence), at: leader) }
        cluster.advance(by: .milliseconds(300))
        let early = try #require(cluster.replicas[follower]?.snapshot())
        for sequence in UInt64(6)...20 { cluster.append("e\(sequence)", key: key(sequence), at: leader) }
        cluster.advance(by: .milliseconds(300))
        let late = try #require(cluster.replicas[follower]?.snapshot())
        let promised = try #require(late.promised)
        let stale = SlotValue.entries([ClientEntry(key: ClientKey(session: 77, sequence: 1), data: Array("stale".utf8))]
        )
        let count = Int(late.commitIndex - early.commitIndex) + 1
        let records: [PersistRecord] = [
            .accepted(
                ballot: promised, firstSlot: early.commitIndex + 1, values: Array(repeating: stale, count: count)),
            .committed(commitIndex: late.commitIndex, ballot: promised),
        ]
        var applied: [ChosenSlot] = []
        let replica = Replica.recover(
            id: follower, configuration: cluster.configuration, snapshot: late.rolledBack(to: early.logBase),
            records: Replica.recordsForRollback(records, chosenThrough: late.commitIndex), now: cluster.now
        ) { applied.append($0) }
        #expect(applied.isEmpty, "applied \(applied.map(\.slot)) from accepted values")
        #expect(replica.commitIndex == early.commitIndex)
        // The one slot past the checkpoint is kept as a vote (its promise too).
        #expect(replica.promised == promised)
        #expect(replica.snapshot().accepted.keys.sorted() == [late.commitIndex + 1])
        // Without the filter, the same replay applies the stale values: the test can fail.
        var unfiltered: [ChosenSlot] = []
        _ = Replica.recover(
            id: follower, configuration: cluster.configuration, snapshot: late.rolledBack(to: early.logBase),
            records: records, now: cluster.now
        ) { unfiltered.append($0) }
        #expect(unfiltered.contains { $0.value == stale })
    }
}
