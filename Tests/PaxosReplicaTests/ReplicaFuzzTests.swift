import Foundation
import PaxosCore
import PaxosProtocol
import PaxosReplica
import PaxosTestSupport
import Testing

/// Mutations of real frames against the decoders and the replica: decoding never traps, what
/// decodes is canonical, and a replica fed decodable mutants neither traps nor stops working.
/// `PAXOSLOG_FUZZ_ITERATIONS=N` runs N mutants per test (default 60,000: 120,000 per `make test`).
@Suite struct ReplicaFuzzTests {
    static var iterations: Int {
        ProcessInfo.processInfo.environment["PAXOSLOG_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 60_000
    }

    /// Real traffic and journal records of a small cluster that elects, appends, fails over and
    /// catches up: the corpus the mutants come from.
    static func corpus() -> (messages: [ReplicaMessage], records: [PersistRecord]) {
        var cluster = ReplicaTestCluster { $0.catchUpChunkSlots = 2 }
        var messages: [ReplicaMessage] = []
        cluster.advance(by: .seconds(2))
        let leader = cluster.leader ?? NodeID(1)
        let lagging = cluster.configuration.members.first { $0 != leader } ?? NodeID(2)
        cluster.isolated = [lagging]
        for sequence in UInt64(1)...6 {
            cluster.appendBatch(
                [ClientEntry(key: key(sequence), data: Array("entry \(sequence)".utf8))], at: leader)
            messages += cluster.inFlight.map(\.message)
        }
        cluster.isolated = []
        for _ in 0..<40 {
            cluster.now = cluster.now + .milliseconds(10)
            for member in cluster.configuration.members {
                cluster.perform(cluster.replicas[member]?.tick(now: cluster.now) ?? [], by: member)
            }
            messages += cluster.inFlight.map(\.message)
            cluster.deliverAll()
        }
        let records = cluster.journals.values.flatMap { $0 } + [.recoveryStarted]
        return (messages, records)
    }

    @Test func decodersNeverTrapAndWhatDecodesIsCanonical() {
        let (messages, records) = Self.corpus()
        let frames = messages.map { $0.encoded() } + records.map { $0.encoded() }
        var generator = SeededGenerator(seed: 0xF0F0)
        let mutator = ByteMutator()
        var decoded = 0
        for _ in 0..<Self.iterations {
            let mutant = mutator.mutate(frames.randomElement(using: &generator) ?? [], using: &generator)
            if let message = try? ReplicaMessage(decoding: mutant) {
                decoded += 1
                #expect(message.encoded() == mutant, "a message decodes from bytes it would not encode to")
            }
            if let record = try? PersistRecord(decoding: mutant) {
                decoded += 1
                #expect(record.encoded() == mutant, "a record decodes from bytes it would not encode to")
            }
        }
        #expect(decoded > Self.iterations / 100, "the mutants reach past the first checks")
    }

    @Test func aReplicaFedMutatedMessagesNeitherTrapsNorStopsWorking() throws {
        let (messages, _) = Self.corpus()
        var cluster = ReplicaTestCluster()
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        var generator = SeededGenerator(seed: 0xBEEF)
        let mutator = ByteMutator()
        let senders = cluster.configuration.members + [NodeID(99)]
        var delivered = 0
        for _ in 0..<Self.iterations {
            let mutant = mutator.mutate(
                (messages.randomElement(using: &generator) ?? .preVote(commitIndex: 0)).encoded(), using: &generator)
            guard let message = try? ReplicaMessage(decoding: mutant) else { continue }
            let target = cluster.configuration.members.randomElement(using: &generator) ?? leader
            let sender = senders.randomElement(using: &generator) ?? leader
            let actions = cluster.replicas[target]?.receive(message, from: sender, now: cluster.now) ?? []
            cluster.perform(actions, by: target)
            cluster.inFlight.removeAll()
            delivered += 1
        }
        #expect(delivered > Self.iterations / 100)
        // Hostile input may cost a leader change, never the cluster: it still elects and commits.
        cluster.advance(by: .seconds(3))
        let current = try #require(cluster.leader)
        cluster.append("after the fuzz", key: key(1, session: 0xF022), at: current)
        cluster.advance(by: .milliseconds(200))
        guard case .committed = cluster.outcomes[key(1, session: 0xF022)] else {
            Issue.record("the cluster no longer commits after the fuzz")
            return
        }
    }

    @Test func findingsOfTheCoverageGuidedFuzzerStayFixed() throws {
        // `make fuzz` found these within seconds: a journal record whose slots overflow on replay,
        // and a promise reporting slot 2^32, which made the new leader fill four billion holes.
        let overflowingRecord: [UInt8] = [4] + [UInt8](repeating: 0xFF, count: 8) + [4, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: WireDecodingError.self) { try PersistRecord(decoding: overflowingRecord) }

        var cluster = ReplicaTestCluster()
        let candidate = NodeID(1)
        let actions = cluster.replicas[candidate]?.tick(now: cluster.now + .seconds(2)) ?? []
        cluster.perform(actions, by: candidate)
        let preVoted = cluster.replicas[candidate]?.receive(
            .preVoteReply(granted: true, promised: nil, commitIndex: 0), from: NodeID(2), now: cluster.now + .seconds(2)
        )
        cluster.perform(preVoted ?? [], by: candidate)
        let ballot = try #require(
            cluster.inFlight.compactMap { entry -> Ballot? in
                if case .prepare(let ballot, _) = entry.message { return ballot }
                return nil
            }.first)
        let far =
            cluster.replicas[candidate]?.receive(
                .promise(ballot: ballot, reports: [SlotReport(slot: 1 << 32, ballot: nil, value: .noop)]),
                from: NodeID(2),
                now: cluster.now + .seconds(2)) ?? []
        #expect(far.contains { if case .messageDropped(_, .malformed) = $0 { true } else { false } })
    }
}
