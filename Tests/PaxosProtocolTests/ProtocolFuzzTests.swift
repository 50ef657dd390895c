import Foundation
import PaxosProtocol
import PaxosTestSupport
import Testing

/// Mutations of real client frames against every client-protocol decoder: decoding never traps,
/// and what decodes is exactly what would encode to those bytes (no second reading of a frame).
@Suite struct ProtocolFuzzTests {
    static let iterations = 25_000

    static let entries = [
        ClientEntry(key: ClientKey(session: 0xABCD, sequence: 1), data: Array("first entry".utf8)),
        ClientEntry(key: ClientKey(session: 0xABCD, sequence: 2), data: []),
        ClientEntry(key: ClientKey(session: 7, sequence: 99), data: [0, 255, 10, 13]),
    ]

    static let requests: [[UInt8]] = [
        AppendRequest(entries: entries).encoded(),
        AppendRequest(entries: []).encoded(),
        ReadRequest(requestID: 9, mode: .linearizable, fromIndex: 1).encoded(),
        ReadRequest(requestID: 10, mode: .follow, fromIndex: 77, upTo: 90, waitMilliseconds: 500).encoded(),
    ]

    static let results: [[UInt8]] = [
        AppendResult(outcomes: [
            (entries[0].key, .committed(index: 12)), (entries[1].key, .notLeader(leader: 2)),
            (entries[2].key, .notLeader(leader: nil)), (entries[2].key, .failed("entry too large")),
            (entries[1].key, .busy), (entries[0].key, .outOfOrder(expected: 3)),
        ]).encoded(),
        ReadResult(requestID: 9, status: .ok, firstIndex: 1, entries: [[1, 2, 3], []], endIndex: 2).encoded(),
        ReadResult(requestID: 9, status: .notLeader(leader: 3), firstIndex: 1, entries: [], endIndex: 0).encoded(),
    ]

    @Test func everyAppendStatusSurvivesTheWire() throws {
        let result = AppendResult(outcomes: [
            (Self.entries[0].key, .committed(index: 12)), (Self.entries[1].key, .notLeader(leader: 2)),
            (Self.entries[2].key, .failed("entry too large")), (Self.entries[1].key, .busy),
            (Self.entries[0].key, .outOfOrder(expected: 3)),
        ])
        #expect(try AppendResult(decoding: result.encoded()) == result)
    }

    @Test func clientProtocolDecodersNeverTrapAndAreCanonical() {
        var generator = SeededGenerator(seed: 0xC11E)
        let mutator = ByteMutator()
        let corpus = Self.requests + Self.results
        var decoded = 0
        for _ in 0..<Self.iterations {
            let mutant = mutator.mutate(corpus.randomElement(using: &generator) ?? [], using: &generator)
            if let request = try? AppendRequest(decoding: mutant) {
                decoded += 1
                #expect(request.encoded() == mutant)
            }
            if let request = try? ReadRequest(decoding: mutant) {
                decoded += 1
                #expect(request.encoded() == mutant)
            }
            if let result = try? AppendResult(decoding: mutant) {
                decoded += 1
                #expect(result.encoded() == mutant)
            }
            if let result = try? ReadResult(decoding: mutant) {
                decoded += 1
                #expect(result.encoded() == mutant)
            }
        }
        #expect(decoded > Self.iterations / 100, "the mutants reach past the first checks")
    }

    @Test func statusJSONMutantsNeverTrap() throws {
        let status = NodeStatus(
            id: 1, pid: 42, role: "leader", ballot: "3.1", leader: 1, commitIndex: 10, commitSlot: 4, lastSlot: 5,
            journalBytes: 4096, fsyncs: 7, fsyncP50Milliseconds: 0.5, fsyncP99Milliseconds: 1.5, recordsPerFsync: 2)
        let json = Array(try JSONEncoder().encode(status))
        var generator = SeededGenerator(seed: 0x5747)
        let mutator = ByteMutator()
        for _ in 0..<5_000 {
            _ = try? JSONDecoder().decode(NodeStatus.self, from: Data(mutator.mutate(json, using: &generator)))
        }
    }
}
