import PaxosCore

extension ReplicaMessage {
    /// The message as bytes for the wire: a tag byte, then the fields, little-endian.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        switch self {
        case .preVote(let commitIndex):
            writer.write(UInt8(1))
            writer.write(commitIndex)
        case .preVoteReply(let granted, let promised, let commitIndex):
            writer.write(UInt8(2))
            writer.write(granted)
            writer.write(promised)
            writer.write(commitIndex)
        case .prepare(let ballot, let fromSlot):
            writer.write(UInt8(3))
            writer.write(ballot)
            writer.write(fromSlot)
        case .promise(let ballot, let reports):
            writer.write(UInt8(4))
            writer.write(ballot)
            writer.write(UInt32(reports.count))
            for report in reports {
                writer.write(report.slot)
                writer.write(report.ballot)
                writer.write(report.value)
            }
        case .nack(let ballot, let promised):
            writer.write(UInt8(5))
            writer.write(ballot)
            writer.write(promised)
        case .accept(let ballot, let firstSlot, let values, let commitIndex):
            writer.write(UInt8(6))
            writer.write(ballot)
            writer.write(firstSlot)
            writer.write(commitIndex)
            writer.write(values)
        case .accepted(let ballot, let firstSlot, let count):
            writer.write(UInt8(7))
            writer.write(ballot)
            writer.write(firstSlot)
            writer.write(UInt32(count))
        case .heartbeat(let ballot, let commitIndex, let round):
            writer.write(UInt8(8))
            writer.write(ballot)
            writer.write(commitIndex)
            writer.write(round)
        case .heartbeatReply(let ballot, let commitIndex, let round, let boot, let heldAtStart, let awaitingCheck):
            writer.write(UInt8(9))
            writer.write(ballot)
            writer.write(commitIndex)
            writer.write(round)
            writer.write(boot)
            writer.write(heldAtStart)
            writer.write(awaitingCheck)
        case .catchUpRequest(let fromSlot):
            writer.write(UInt8(10))
            writer.write(fromSlot)
        case .catchUpReply(let firstSlot, let values, let commitIndex):
            writer.write(UInt8(11))
            writer.write(firstSlot)
            writer.write(commitIndex)
            writer.write(values)
        case .catchUpBase(let base, let commitIndex):
            writer.write(UInt8(12))
            writer.write(commitIndex)
            writer.write(base)
        case .timeoutNow(let ballot):
            writer.write(UInt8(13))
            writer.write(ballot)
        case .stateLost(let ballot, let acknowledgedThrough):
            writer.write(UInt8(14))
            writer.write(ballot)
            writer.write(acknowledgedThrough)
        case .startChecked(let ballot):
            writer.write(UInt8(15))
            writer.write(ballot)
        }
        return writer.bytes
    }

    /// Decodes a message written by `encoded()`; any other input is a `WireDecodingError`.
    public init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        let tag = try reader.read(UInt8.self)
        switch tag {
        case 1:
            self = .preVote(commitIndex: try reader.read())
        case 2:
            self = .preVoteReply(
                granted: try reader.readBool(), promised: try reader.readOptionalBallot(),
                commitIndex: try reader.read())
        case 3:
            self = .prepare(ballot: try reader.readBallot(), fromSlot: try reader.read())
        case 4:
            let ballot = try reader.readBallot()
            let count = try reader.readCount(minimumElementSize: 10)
            var reports: [SlotReport] = []
            reports.reserveCapacity(count)
            for _ in 0..<count {
                let slot: Slot = try reader.read()
                reports.append(
                    SlotReport(slot: slot, ballot: try reader.readOptionalBallot(), value: try reader.readSlotValue()))
            }
            self = .promise(ballot: ballot, reports: reports)
        case 5:
            self = .nack(ballot: try reader.readBallot(), promised: try reader.readBallot())
        case 6:
            let ballot = try reader.readBallot()
            let firstSlot: Slot = try reader.read()
            let commitIndex: Slot = try reader.read()
            self = .accept(
                ballot: ballot, firstSlot: firstSlot, values: try reader.readSlotValues(), commitIndex: commitIndex)
        case 7:
            self = .accepted(
                ballot: try reader.readBallot(), firstSlot: try reader.read(), count: Int(try reader.read(UInt32.self)))
        case 8:
            self = .heartbeat(ballot: try reader.readBallot(), commitIndex: try reader.read(), round: try reader.read())
        case 9:
            self = .heartbeatReply(
                ballot: try reader.readBallot(), commitIndex: try reader.read(), round: try reader.read(),
                boot: try reader.read(), heldAtStart: try reader.read(), awaitingCheck: try reader.readBool())
        case 10:
            self = .catchUpRequest(fromSlot: try reader.read())
        case 11:
            let firstSlot: Slot = try reader.read()
            let commitIndex: Slot = try reader.read()
            self = .catchUpReply(firstSlot: firstSlot, values: try reader.readSlotValues(), commitIndex: commitIndex)
        case 12:
            let commitIndex: Slot = try reader.read()
            self = .catchUpBase(try reader.readLogBase(), commitIndex: commitIndex)
        case 13:
            self = .timeoutNow(ballot: try reader.readBallot())
        case 14:
            self = .stateLost(ballot: try reader.readBallot(), acknowledgedThrough: try reader.read())
        case 15:
            self = .startChecked(ballot: try reader.readBallot())
        default:
            throw WireDecodingError(offset: 0, message: "unknown message tag \(tag)")
        }
        try reader.expectEnd()
    }
}
