import PaxosCore
import PaxosProtocol
import PaxosReplica
import PaxosTestSupport
import Testing

/// Every message and journal record survives encoding, and damaged bytes are errors, not crashes.
@Suite struct BinaryCodingTests {
    static let ballot = Ballot(number: 7, uid: 3)
    static let value = SlotValue.entries([
        ClientEntry(key: ClientKey(session: 0xABCD, sequence: 9), data: Array("hello".utf8)),
        ClientEntry(key: ClientKey(session: 1, sequence: 2), data: []),
    ])

    static let messages: [ReplicaMessage] = [
        .preVote(commitIndex: 12),
        .preVoteReply(granted: true, promised: nil, commitIndex: 0),
        .preVoteReply(granted: false, promised: ballot, commitIndex: 77),
        .prepare(ballot: ballot, fromSlot: 5),
        .promise(
            ballot: ballot,
            reports: [
                SlotReport(slot: 5, ballot: nil, value: value), SlotReport(slot: 6, ballot: ballot, value: .noop),
            ]),
        .nack(ballot: ballot, promised: Ballot(number: 8, uid: 1)),
        .accept(ballot: ballot, firstSlot: 3, values: [value, .noop], commitIndex: 2),
        .accepted(ballot: ballot, firstSlot: 3, count: 2),
        .heartbeat(ballot: ballot, commitIndex: 99, round: 4),
        .heartbeatReply(ballot: ballot, commitIndex: 98, round: 4, boot: 0xB007, heldAtStart: 97, awaitingCheck: true),
        .heartbeatReply(ballot: ballot, commitIndex: 98, round: 4, boot: 0xB007, heldAtStart: 97, awaitingCheck: false),
        .startChecked(ballot: ballot),
        .timeoutNow(ballot: ballot),
        .stateLost(ballot: ballot, acknowledgedThrough: 77),
        .catchUpRequest(fromSlot: 4),
        .catchUpReply(firstSlot: 4, values: [value], commitIndex: 10),
    ]

    static let records: [PersistRecord] = [
        .promise(ballot),
        .accepted(ballot: ballot, firstSlot: 1, values: [value, .noop]),
        .committed(commitIndex: 2, ballot: ballot),
        .chosen(firstSlot: 3, values: [value]),
        .recoveryStarted,
        .recoveryCompleted(ballot: ballot),
        .started(incarnation: 0xFEED_FACE_CAFE_BEEF),
    ]

    @Test(arguments: messages)
    func messageRoundTrips(message: ReplicaMessage) throws {
        #expect(try ReplicaMessage(decoding: message.encoded()) == message)
    }

    @Test(arguments: records)
    func recordRoundTrips(record: PersistRecord) throws {
        #expect(try PersistRecord(decoding: record.encoded()) == record)
    }

    @Test func everyTruncationIsAnError() {
        for message in Self.messages {
            let bytes = message.encoded()
            for length in 0..<bytes.count {
                #expect(throws: WireDecodingError.self) { try ReplicaMessage(decoding: Array(bytes.prefix(length))) }
            }
        }
    }

    @Test func randomGarbageNeverCrashes() {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<20_000 {
            let count = Int.random(in: 0..<64, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? ReplicaMessage(decoding: bytes)
            _ = try? PersistRecord(decoding: bytes)
        }
        let hostile: [UInt8] = [11, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: WireDecodingError.self) { try ReplicaMessage(decoding: hostile) }
    }

    @Test func trailingBytesAreAnError() {
        #expect(throws: WireDecodingError.self) {
            try PersistRecord(decoding: PersistRecord.promise(Self.ballot).encoded() + [0])
        }
    }
}
