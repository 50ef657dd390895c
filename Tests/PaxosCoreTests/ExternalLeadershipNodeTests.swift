import PaxosCore
import Testing

func proclamation(_ id: ProposalID) -> Message<String> {
    .leadershipProclamation(LeadershipProclamation(proposalID: id))
}

/// Leadership decided by an external failure detector.
@Suite struct ExternalLeadershipNodeTests {
    @Test func neverPreparesOnItsOwn() {
        var node = ExternalLeadershipNode<String>(uid: 1, quorumSize: 2)
        #expect(node.receive(.heartbeat(Heartbeat(leaderProposalID: pid(1, 2))), from: 2) == [])
        #expect(node.receive(.prepareNack(Nack(proposalID: pid(1, 1), promisedID: pid(3, 2))), from: 2) == [])
        #expect(node.node.proposalID == nil)
    }

    @Test func proclaimsLeadershipWhenGained() {
        var node = ExternalLeadershipNode<String>(uid: 1, quorumSize: 2, leader: 3)
        _ = node.setProposal("v")
        #expect(node.prepare() == [.send(prepare(pid(1, 1)), to: .acceptors)])
        _ = node.receive(promise(pid(1, 1)), from: 1)
        #expect(
            node.receive(promise(pid(1, 1)), from: 2) == [
                .leadershipAcquired,
                .send(accept(pid(1, 1), "v"), to: .acceptors),
                .send(proclamation(pid(1, 1)), to: .nodes),
                .leadershipChanged(previous: 3, current: 1),
            ])
        #expect(node.leaderUID == 1)
    }

    @Test func followsANewerProclamationAndIgnoresAnOlderOne() {
        var node = ExternalLeadershipNode<String>(uid: 1, quorumSize: 2)
        #expect(node.receive(proclamation(pid(2, 2)), from: 2) == [.leadershipChanged(previous: nil, current: 2)])
        #expect(node.receive(proclamation(pid(1, 3)), from: 3) == [], "older than n2's")
        #expect(node.receive(proclamation(pid(4, 3)), from: 3) == [.leadershipChanged(previous: 2, current: 3)])
        #expect(node.leaderUID == 3)
        #expect(node.prepare() == [.send(prepare(pid(5, 1)), to: .acceptors)], "outbids the leader it followed")
    }

    @Test func leaderStepsDownOnANewerProclamation() {
        var node = ExternalLeadershipNode<String>(uid: 1, quorumSize: 1)
        _ = node.prepare()
        _ = node.receive(promise(pid(1, 1)), from: 2)
        #expect(node.isLeader)
        #expect(
            node.receive(proclamation(pid(2, 2)), from: 2) == [
                .leadershipLost, .leadershipChanged(previous: 1, current: 2),
            ])
        #expect(!node.isLeader)
    }

    @Test func leaderStepsDownOnAQuorumOfAcceptNacks() {
        var node = ExternalLeadershipNode<String>(uid: 1, quorumSize: 2)
        _ = node.prepare()
        _ = node.receive(promise(pid(1, 1)), from: 2)
        _ = node.receive(promise(pid(1, 1)), from: 3)
        let nack = Message<String>.acceptNack(Nack(proposalID: pid(1, 1), promisedID: pid(2, 3)))
        #expect(node.receive(nack, from: 2) == [])
        #expect(node.receive(nack, from: 3) == [.leadershipLost, .leadershipChanged(previous: 1, current: nil)])
        #expect(node.leaderUID == nil)
        #expect(node.receive(promise(pid(1, 1)), from: 4) == [], "a late promise does not restore leadership")
    }

    // MARK: A configured first leader (external.py's constructor)

    @Test func aNodeConfiguredAsLeaderStartsAsLeaderUnderProposalOne() {
        var node = ExternalLeadershipNode<String>(uid: 1, quorumSize: 2, leader: 1)
        #expect(node.isLeader)
        #expect(node.node.proposalID == pid(1, 1))
        #expect(node.leaderUID == 1)
        #expect(node.leaderProposalID == pid(1, 1))
        #expect(
            node.setProposal("v") == [.send(accept(pid(1, 1), "v"), to: .acceptors)],
            "no phase 1 and no proclamation: every node already follows it")
        let state = AcceptorState(promisedID: pid(1, 1), acceptedID: pid(1, 1), acceptedValue: "v")
        #expect(node.receive(accept(pid(1, 1), "v"), from: 1) == [.persist(state)])
        #expect(node.persisted() == [.send(accepted(pid(1, 1), "v"), to: .learners)])
        #expect(node.receive(accepted(pid(1, 1), "v"), from: 1) == [])
        #expect(
            node.receive(accepted(pid(1, 1), "v"), from: 2) == [
                .resolved(Resolution(proposalID: pid(1, 1), value: "v"))
            ])
    }

    @Test func theConfiguredLeaderStepsDownOnANewerProclamationAndOutbidsIt() {
        var node = ExternalLeadershipNode<String>(uid: 1, quorumSize: 2, leader: 1)
        #expect(node.receive(proclamation(pid(1, 1)), from: 1) == [], "its own proclamation")
        #expect(
            node.receive(proclamation(pid(2, 2)), from: 2) == [
                .leadershipLost, .leadershipChanged(previous: 1, current: 2),
            ])
        #expect(!node.isLeader)
        #expect(node.prepare() == [.send(prepare(pid(3, 1)), to: .acceptors)])
    }

    @Test func aFollowerOfTheConfiguredLeaderKnowsItsProposal() {
        var node = ExternalLeadershipNode<String>(uid: 2, quorumSize: 2, leader: 1)
        #expect(!node.isLeader)
        #expect(node.node.proposalID == nil)
        #expect(node.leaderProposalID == pid(1, 1))
        #expect(node.receive(proclamation(pid(1, 1)), from: 1) == [], "the leader it already follows")
        #expect(node.receive(proclamation(pid(2, 3)), from: 3) == [.leadershipChanged(previous: 1, current: 3)])
        #expect(node.leaderUID == 3)
    }
}
