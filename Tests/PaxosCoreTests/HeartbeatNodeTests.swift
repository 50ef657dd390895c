import PaxosCore
import Testing

func at(_ seconds: Double) -> ClockInstant { .seconds(seconds) }
func heartbeat(_ id: ProposalID) -> Message<String> { .heartbeat(Heartbeat(leaderProposalID: id)) }

/// Leader failure detection by heartbeats, driven by a hand-moved clock.
@Suite struct HeartbeatNodeTests {
    /// Three nodes (quorum 2), n1 the configured first leader, P = 1 s, W = 5 s.
    func follower(_ uid: NodeID = 2) -> HeartbeatNode<String> {
        HeartbeatNode(uid: uid, quorumSize: 2, leader: 1, now: at(0))
    }

    @Test func leaderSendsAHeartbeatEveryPeriod() {
        var leader = HeartbeatNode<String>(uid: 1, quorumSize: 2, leader: 1, now: at(0))
        #expect(leader.isLeader)
        #expect(leader.tick(now: at(0)) == [.send(heartbeat(pid(1, 1)), to: .nodes)])
        #expect(leader.tick(now: at(0.5)) == [])
        #expect(leader.tick(now: at(1)) == [.send(heartbeat(pid(1, 1)), to: .nodes)])
        #expect(leader.tick(now: at(1.9)) == [])
        #expect(leader.tick(now: at(2)) == [.send(heartbeat(pid(1, 1)), to: .nodes)])
        #expect(leader.leaderIsAlive(now: at(6.9)), "a leader counts its own heartbeats")
        #expect(leader.tick(now: at(5)) == [.send(heartbeat(pid(1, 1)), to: .nodes)], "and never challenges itself")
    }

    @Test func periodAndWindowAreConfigurable() {
        let fast = HeartbeatConfiguration(period: .milliseconds(100), livenessWindow: .milliseconds(400))
        var leader = HeartbeatNode<String>(uid: 1, quorumSize: 2, leader: 1, configuration: fast, now: at(0))
        #expect(leader.tick(now: at(0)).count == 1)
        #expect(leader.tick(now: at(0.1)).count == 1)
        var node = HeartbeatNode<String>(uid: 2, quorumSize: 2, leader: 1, configuration: fast, now: at(0))
        #expect(node.tick(now: at(0.4)) == [], "heartbeat at 0 is within W = 0.4 s")
        #expect(node.tick(now: at(0.81)) == [.send(prepare(pid(1, 2)), to: .acceptors)])
    }

    @Test func followerWaitsWhileTheLeaderIsAlive() {
        var node = follower()
        _ = node.receive(heartbeat(pid(1, 1)), from: 1, now: at(4))
        #expect(node.tick(now: at(5)) == [])
        #expect(node.leaderIsAlive(now: at(9)))
        #expect(!node.leaderIsAlive(now: at(9.1)))
    }

    @Test func deadLeaderIsReplaced() {
        var node = follower()
        #expect(node.tick(now: at(5)) == [], "last heartbeat counts from start: alive for W")
        #expect(node.tick(now: at(10)) == [.send(prepare(pid(1, 2)), to: .acceptors)])
        #expect(node.isAcquiring)
        // The prepare reaches its own acceptor and n3's.
        #expect(
            node.receive(prepare(pid(1, 2)), from: 2, now: at(10)) == [.persist(AcceptorState(promisedID: pid(1, 2)))])
        #expect(node.persisted() == [.send(promise(pid(1, 2)), to: .node(2))])
        #expect(node.receive(promise(pid(1, 2)), from: 2, now: at(10)) == [])
        #expect(
            node.receive(promise(pid(1, 2)), from: 3, now: at(10.1)) == [
                .leadershipAcquired,
                .send(heartbeat(pid(1, 2)), to: .nodes),
                .leadershipChanged(previous: 1, current: 2),
            ])
        #expect(node.leaderUID == 2)
        #expect(!node.isAcquiring)
        #expect(node.tick(now: at(11.1)) == [.send(heartbeat(pid(1, 2)), to: .nodes)])
    }

    @Test func aRecentForeignPrepareHoldsBackOwnPrepare() {
        var node = follower()
        _ = node.receive(prepare(pid(4, 3)), from: 3, now: at(8))
        _ = node.persisted()
        #expect(node.tick(now: at(10)) == [], "n3 prepared 2 s ago, within 1.5 × W")
        #expect(node.observedRecentPrepare(now: at(15.5)))
        #expect(node.tick(now: at(15.6)) == [.send(prepare(pid(5, 2)), to: .acceptors)], "outbids what it saw")
    }

    @Test func ownPrepareDoesNotCountAsForeign() {
        var node = follower()
        _ = node.tick(now: at(10))
        _ = node.receive(prepare(pid(1, 2)), from: 2, now: at(10))
        #expect(!node.observedRecentPrepare(now: at(10)))
    }

    @Test func nackWhileAcquiringPreparesAgainHigher() {
        var node = follower()
        _ = node.tick(now: at(10))
        let nack = Message<String>.prepareNack(Nack(proposalID: pid(1, 2), promisedID: pid(7, 3)))
        #expect(node.receive(nack, from: 3, now: at(10.1)) == [.send(prepare(pid(8, 2)), to: .acceptors)])
    }

    @Test func nackWhenNotAcquiringOnlyTeachesTheNumber() {
        var node = follower()
        let nack = Message<String>.prepareNack(Nack(proposalID: pid(1, 2), promisedID: pid(7, 3)))
        #expect(node.receive(nack, from: 3, now: at(1)) == [])
        #expect(node.prepare() == [.send(prepare(pid(8, 2)), to: .acceptors)])
    }

    @Test func acquiringGivesUpOnANewerLeadersHeartbeat() {
        var node = follower()
        _ = node.tick(now: at(10))
        #expect(
            node.receive(heartbeat(pid(9, 3)), from: 3, now: at(10.2)) == [.leadershipChanged(previous: 1, current: 3)])
        #expect(!node.isAcquiring)
        #expect(node.leaderUID == 3)
        let nack = Message<String>.prepareNack(Nack(proposalID: pid(1, 2), promisedID: pid(9, 3)))
        #expect(node.receive(nack, from: 3, now: at(10.3)) == [], "no longer acquiring, so no new prepare")
        #expect(node.tick(now: at(15)) == [], "n3 is alive")
    }

    @Test func olderHeartbeatsDoNotKeepALeaderAlive() {
        var node = follower()
        _ = node.receive(heartbeat(pid(3, 3)), from: 3, now: at(1))
        #expect(node.receive(heartbeat(pid(1, 1)), from: 1, now: at(5)) == [])
        #expect(node.leaderUID == 3)
        #expect(!node.leaderIsAlive(now: at(6.5)), "only n3's heartbeat at t=1 counts")
    }

    @Test func leaderStepsDownOnANewerLeadersHeartbeat() {
        var node = HeartbeatNode<String>(uid: 1, quorumSize: 2, leader: 1, now: at(0))
        _ = node.tick(now: at(0))
        #expect(
            node.receive(heartbeat(pid(2, 2)), from: 2, now: at(0.5)) == [
                .leadershipLost, .leadershipChanged(previous: 1, current: 2),
            ])
        #expect(!node.isLeader)
        #expect(node.tick(now: at(1)) == [], "no more heartbeats from the old leader")
        #expect(node.prepare() == [.send(prepare(pid(3, 1)), to: .acceptors)])
    }

    @Test func leaderStepsDownOnAQuorumOfAcceptNacks() {
        var node = HeartbeatNode<String>(uid: 1, quorumSize: 2, leader: 1, now: at(0))
        let nack = Message<String>.acceptNack(Nack(proposalID: pid(1, 1), promisedID: pid(4, 3)))
        #expect(node.receive(nack, from: 2, now: at(1)) == [])
        #expect(node.isLeader)
        #expect(
            node.receive(nack, from: 3, now: at(1)) == [.leadershipLost, .leadershipChanged(previous: 1, current: nil)])
        #expect(node.leaderUID == nil)
        #expect(node.prepare() == [.send(prepare(pid(5, 1)), to: .acceptors)])
    }

    // MARK: The seed's timing (test_functional.py: P = 2, W = 6, start at t = 1, a poll every second)

    static let seedTiming = HeartbeatConfiguration(period: .seconds(2), livenessWindow: .seconds(6))

    @Test func aNewNodeCountsItsStartAsARecentPrepare() {
        var node = HeartbeatNode<String>(uid: 1, quorumSize: 3, configuration: Self.seedTiming, now: at(1))
        for second in 2...10 {
            #expect(node.pollLiveness(now: at(Double(second))) == [], "t=\(second) is within 1.5 × W of its start")
        }
        #expect(node.node.proposalID == nil)
        #expect(!node.isAcquiring)
        #expect(node.pollLiveness(now: at(11)) == [.send(prepare(pid(1, 1)), to: .acceptors)])
        #expect(node.isAcquiring)
    }

    @Test func anAcquiringNodePreparesAgainAtTheNextPollAsTheSeedDoes() {
        // test_proposal_id_increment: the seed's own prepares do not count as recent prepares
        // (functional.py's recv_prepare skips its own uid), so a candidate without a quorum
        // prepares again at the next poll, one number higher.
        var node = HeartbeatNode<String>(uid: 1, quorumSize: 3, configuration: Self.seedTiming, now: at(1))
        #expect(node.setProposal("foo") == [])
        for second in 2...10 { _ = node.pollLiveness(now: at(Double(second))) }
        #expect(node.pollLiveness(now: at(11)) == [.send(prepare(pid(1, 1)), to: .acceptors)])
        #expect(node.receive(promise(pid(1, 1)), from: 1, now: at(11)) == [])
        #expect(node.receive(promise(pid(1, 1)), from: 2, now: at(11)) == [])
        #expect(node.pollLiveness(now: at(12)) == [.send(prepare(pid(2, 1)), to: .acceptors)])
        #expect(node.receive(promise(pid(2, 1)), from: 1, now: at(12)) == [])
        #expect(node.receive(promise(pid(2, 1)), from: 2, now: at(12)) == [])
        #expect(
            node.receive(promise(pid(2, 1)), from: 3, now: at(12)) == [
                .leadershipAcquired,
                .send(accept(pid(2, 1), "foo"), to: .acceptors),
                .send(heartbeat(pid(2, 1)), to: .nodes),
                .leadershipChanged(previous: nil, current: 1),
            ])
    }

    @Test func aHeartbeatJustBeforeTheFirstPrepareHoldsItBack() {
        // test_initial_leader: n2 is the configured leader; its heartbeat at t = 10 keeps it alive.
        var node = HeartbeatNode<String>(uid: 1, quorumSize: 3, leader: 2, configuration: Self.seedTiming, now: at(1))
        for second in 2...10 {
            #expect(node.pollLiveness(now: at(Double(second))) == [])
        }
        #expect(node.receive(heartbeat(pid(1, 2)), from: 2, now: at(10)) == [])
        #expect(node.pollLiveness(now: at(11)) == [])
        #expect(node.node.proposalID == nil)
    }

    @Test func theFirstPrepareComesOneAndAHalfWindowsAfterStartOnTheDefaultClock() {
        var node = HeartbeatNode<String>(uid: 3, quorumSize: 2, now: at(0))
        #expect(node.pollLiveness(now: at(5.1)) == [], "no leader heard for W, but the start is recent")
        #expect(node.pollLiveness(now: at(7.5)) == [])
        #expect(node.pollLiveness(now: at(7.6)) == [.send(prepare(pid(1, 3)), to: .acceptors)])
    }

    @Test func noInitialLeaderMeansAnElectionAfterTheWindow() {
        var node = HeartbeatNode<String>(uid: 3, quorumSize: 2, now: at(0))
        #expect(node.tick(now: at(5)) == [])
        #expect(node.tick(now: at(10)) == [.send(prepare(pid(1, 3)), to: .acceptors)])
    }
}
