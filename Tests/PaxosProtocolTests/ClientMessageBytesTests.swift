import PaxosProtocol
import Testing

/// The client messages' exact bytes, spelled out field by field: a node and a client of another
/// build must keep understanding each other, so a change to how the messages are coded must not
/// change a byte. Each case also decodes back to the message it came from.
@Suite struct ClientMessageBytesTests {
    static let transferResults: [(TransferResult.Status, [UInt8])] = [
        (.transferred(to: 3), [0] + le(UInt32(3))),
        (.notLeader(leader: 4), [1] + le(UInt32(4))),
        (.notLeader(leader: nil), [1] + le(UInt32(0))),
        (.failed("no"), [2] + le(UInt32(2)) + Array("no".utf8)),
    ]

    static let trimResults: [(TrimResult.Status, [UInt8])] = [
        (.trimmed(firstIndex: 12), [0] + le(UInt64(12))),
        (.notLeader(leader: 3), [1] + le(UInt64(3))),
        (.notLeader(leader: nil), [1] + le(UInt64(0))),
    ]

    static let readResults: [(ReadResult.Status, [UInt8])] = [
        (.ok, [0]),
        (.notLeader(leader: 3), [1] + le(UInt32(3))),
        (.notLeader(leader: nil), [1] + le(UInt32(0))),
        (.failed("gone"), [2] + le(UInt32(4)) + Array("gone".utf8)),
        (.trimmed(firstIndex: 50), [3] + le(UInt64(50))),
        (.notHeld(firstHeld: 70), [4] + le(UInt64(70))),
    ]

    static let appendStatuses: [(AppendStatus, [UInt8])] = [
        (.committed(index: 12), [0] + le(UInt64(12))),
        (.notLeader(leader: 2), [1] + le(UInt32(2))),
        (.notLeader(leader: nil), [1] + le(UInt32(0))),
        (.failed("too large"), [2] + le(UInt32(9)) + Array("too large".utf8)),
        (.busy, [3]),
        (.outOfOrder(expected: 3), [4] + le(UInt64(3))),
    ]

    @Test func aTransferRequestIsItsIDThenItsTarget() throws {
        let request = TransferRequest(requestID: 7, target: 2)
        #expect(request.encoded() == le(UInt64(7)) + le(UInt32(2)))
        #expect(try TransferRequest(decoding: request.encoded()) == request)
    }

    @Test(arguments: transferResults)
    func aTransferResultIsItsIDThenItsStatus(status: TransferResult.Status, bytes: [UInt8]) throws {
        let result = TransferResult(requestID: 5, status: status)
        #expect(result.encoded() == le(UInt64(5)) + bytes)
        #expect(try TransferResult(decoding: result.encoded()) == result)
    }

    @Test func aTrimRequestIsItsIDThenItsIndex() throws {
        let request = TrimRequest(requestID: 7, before: 99)
        #expect(request.encoded() == le(UInt64(7)) + le(UInt64(99)))
        #expect(try TrimRequest(decoding: request.encoded()) == request)
    }

    @Test(arguments: trimResults)
    func aTrimResultIsItsIDThenItsStatus(status: TrimResult.Status, bytes: [UInt8]) throws {
        let result = TrimResult(requestID: 5, status: status)
        #expect(result.encoded() == le(UInt64(5)) + bytes)
        #expect(try TrimResult(decoding: result.encoded()) == result)
    }

    @Test func aReadRequestIsItsIDThenItsFields() throws {
        let request = ReadRequest(
            requestID: 9, mode: .follow, fromIndex: 77, upTo: 90, maxEntries: 10, maxBytes: 1000,
            waitMilliseconds: 500)
        let fields = le(UInt64(77)) + le(UInt64(90)) + le(UInt32(10)) + le(UInt32(1000)) + le(UInt32(500))
        #expect(request.encoded() == le(UInt64(9)) + [2] + fields)
        #expect(try ReadRequest(decoding: request.encoded()) == request)
    }

    @Test(arguments: readResults)
    func aReadResultIsItsIDItsStatusThenItsEntries(status: ReadResult.Status, bytes: [UInt8]) throws {
        let result = ReadResult(requestID: 9, status: status, firstIndex: 1, entries: [[1, 2, 3], []], endIndex: 2)
        let entries = le(UInt32(2)) + le(UInt32(3)) + [1, 2, 3] + le(UInt32(0))
        #expect(result.encoded() == le(UInt64(9)) + bytes + le(UInt64(1)) + le(UInt64(2)) + entries)
        #expect(try ReadResult(decoding: result.encoded()) == result)
    }

    @Test func anOKReadResultOfEncodedEntriesIsTheSameAsOneOfEntries() {
        let result = ReadResult(requestID: 9, status: .ok, firstIndex: 1, entries: [[1, 2, 3], []], endIndex: 2)
        let entries = le(UInt32(3)) + [1, 2, 3] + le(UInt32(0))
        let encoded = ReadResult.encoded(requestID: 9, firstIndex: 1, endIndex: 2, count: 2, entries: entries)
        #expect(encoded == result.encoded())
    }

    @Test(arguments: appendStatuses)
    func anAppendOutcomeIsItsKeyThenItsStatus(status: AppendStatus, bytes: [UInt8]) throws {
        let result = AppendResult(outcomes: [(ClientKey(session: 0xABCD, sequence: 2), status)])
        #expect(result.encoded() == le(UInt32(1)) + le(UInt64(0xABCD)) + le(UInt64(2)) + bytes)
        #expect(try AppendResult(decoding: result.encoded()) == result)
    }

    @Test func aTransferToNodeZeroOrAnUnknownStatusIsRefusedWhereItStands() {
        #expect(throws: WireDecodingError(offset: 8, message: "node id 0 is not a node")) {
            try TransferRequest(decoding: le(UInt64(1)) + le(UInt32(0)))
        }
        #expect(throws: WireDecodingError(offset: 8, message: "unknown transfer status 3")) {
            try TransferResult(decoding: le(UInt64(1)) + [3])
        }
        #expect(throws: WireDecodingError(offset: 9, message: "failure message is not UTF-8")) {
            try TransferResult(decoding: le(UInt64(1)) + [2] + le(UInt32(1)) + [0xFF])
        }
    }

    @Test func aTrimResultNamingALeaderPastUInt32OrAnUnknownStatusIsRefused() {
        #expect(throws: WireDecodingError(offset: 9, message: "leader id 4294967296 is out of range")) {
            try TrimResult(decoding: le(UInt64(1)) + [1] + le(UInt64(1) << 32))
        }
        #expect(throws: WireDecodingError(offset: 8, message: "unknown trim status 2")) {
            try TrimResult(decoding: le(UInt64(1)) + [2] + le(UInt64(0)))
        }
    }

    /// A reason must be UTF-8 in a read result as in the others: read with replacement characters,
    /// it would encode back to other bytes.
    @Test func aReadResultWhoseReasonIsNotUTF8IsRefused() {
        #expect(throws: WireDecodingError(offset: 9, message: "failure message is not UTF-8")) {
            try ReadResult(decoding: le(UInt64(1)) + [2] + le(UInt32(1)) + [0xFF])
        }
    }

    @Test func anUnknownReadOrAppendStatusIsRefusedWhereItStands() {
        #expect(throws: WireDecodingError(offset: 8, message: "unknown read status 5")) {
            try ReadResult(decoding: le(UInt64(1)) + [5])
        }
        #expect(throws: WireDecodingError(offset: 20, message: "unknown append status 5")) {
            try AppendResult(decoding: le(UInt32(1)) + le(UInt64(1)) + le(UInt64(1)) + [5])
        }
    }
}

/// `value`'s little-endian bytes, as the wire carries every integer.
private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}
