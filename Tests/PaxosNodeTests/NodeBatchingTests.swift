import PaxosCore
import PaxosProtocol
import Testing

@testable import PaxosNode

/// Batching in the node's event loop: appends from every connection that was readable in one
/// turn of the loop go to the replica in one call, so that they share a slot when it has room
/// (`NodeCore.receiveAppend` and `handOverAppends`).
@Suite struct NodeBatchingTests {
    @Test func entriesArrivingInOneTurnAreProposedInOneSlot() throws {
        let (simulation, leader) = try idleCluster()
        let entries = try appendFromEveryClient(simulation, at: leader, inOneTurn: true)
        #expect(entries == [3], "the slots proposed hold \(entries) entries")
    }

    @Test func entriesArrivingInSeparateTurnsAreProposedInSeparateSlots() throws {
        // The control for the test above: the check tells one slot of three from three of one.
        let (simulation, leader) = try idleCluster()
        let entries = try appendFromEveryClient(simulation, at: leader, inOneTurn: false)
        #expect(entries == [1, 1, 1], "the slots proposed hold \(entries) entries")
    }

    /// Three nodes without faults, run until one leads and every slot it proposed is chosen.
    private func idleCluster() throws -> (NodeSimulation, SimulatedNode) {
        let simulation = try NodeSimulation(seed: 11)
        simulation.clients = (0..<3).map { NodeSimulation.Client(session: 0xB000 + UInt64($0)) }
        simulation.appendsToIssue = 0
        try simulation.startAll()
        var leader: SimulatedNode?
        let settled = try simulation.runWithoutFaults {
            leader = simulation.nodes.values.first { $0.core.replica.role == .leader }
            guard let leader else { return false }
            return simulation.nodes.values.allSatisfy {
                $0.core.replica.commitIndex == leader.core.replica.lastSlot
                    && simulation.disks[$0.id]?.journal.pendingBatches == 0
            }
        }
        guard settled, let leader else { throw NodeSimulation.Violation(seed: 11, time: 0, message: "no leader") }
        return (simulation, leader)
    }

    /// Each client appends one entry at `leader`, all in one turn of its loop or one turn each;
    /// returns, for each slot the leader proposed, how many entries it holds.
    private func appendFromEveryClient(
        _ simulation: NodeSimulation, at leader: SimulatedNode, inOneTurn: Bool
    ) throws -> [Int] {
        var sent: [SimulatedPeerNetwork.Message] = []
        for which in simulation.clients.indices {
            let key = ClientKey(session: simulation.clients[which].session, sequence: 1)
            let entry = ClientEntry(key: key, data: Array("entry \(which)".utf8))
            simulation.issued[key] = entry.data
            simulation.clients[which].pending[key] = (entry.data, .max)
            leader.core.receiveAppend(AppendRequest(entries: [entry]), from: leader.connection(for: which))
            if !inOneTurn { sent += try simulation.settle(leader) }
        }
        if inOneTurn { sent += try simulation.settle(leader) }
        // The accepts to one follower: one per slot value proposed.
        let follower = simulation.members.first { $0 != leader.id }
        var slots: [Int] = []
        for message in sent where message.to == follower {
            guard case .accept(_, _, let values, _) = try ReplicaMessage(decoding: message.frame.payload) else {
                continue
            }
            for value in values {
                if case .entries(let entries) = value { slots.append(entries.count) }
            }
        }
        return slots
    }
}
