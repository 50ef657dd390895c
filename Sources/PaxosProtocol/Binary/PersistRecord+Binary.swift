import PaxosCore

extension PersistRecord {
    /// The record as bytes for the journal: a tag byte, then the fields, little-endian.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        switch self {
        case .promise(let ballot):
            writer.write(UInt8(1))
            writer.write(ballot)
        case .accepted(let ballot, let firstSlot, let values):
            writer.write(UInt8(2))
            writer.write(ballot)
            writer.write(firstSlot)
            writer.write(values)
        case .committed(let commitIndex, let ballot):
            writer.write(UInt8(3))
            writer.write(commitIndex)
            writer.write(ballot)
        case .chosen(let firstSlot, let values):
            writer.write(UInt8(4))
            writer.write(firstSlot)
            writer.write(values)
        case .recoveryStarted:
            writer.write(UInt8(5))
        case .recoveryCompleted(let ballot):
            writer.write(UInt8(6))
            writer.write(ballot)
        case .started(let incarnation):
            writer.write(UInt8(7))
            writer.write(incarnation)
        case .base(let base):
            writer.write(UInt8(8))
            writer.write(base)
        }
        return writer.bytes
    }

    /// Decodes a record written by `encoded()`.
    public init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        let tag = try reader.read(UInt8.self)
        switch tag {
        case 1:
            self = .promise(try reader.readBallot())
        case 2:
            let ballot = try reader.readBallot()
            let firstSlot: Slot = try reader.read()
            let values = try reader.readSlotValues()
            try Self.checkRun(firstSlot, count: values.count, at: 25)
            self = .accepted(ballot: ballot, firstSlot: firstSlot, values: values)
        case 3:
            let commitIndex: Slot = try reader.read()
            self = .committed(commitIndex: commitIndex, ballot: try reader.readBallot())
        case 4:
            let firstSlot: Slot = try reader.read()
            let values = try reader.readSlotValues()
            try Self.checkRun(firstSlot, count: values.count, at: 1)
            self = .chosen(firstSlot: firstSlot, values: values)
        case 5:
            self = .recoveryStarted
        case 6:
            self = .recoveryCompleted(ballot: try reader.readBallot())
        case 7:
            self = .started(incarnation: try reader.read())
        case 8:
            self = .base(try reader.readLogBase())
        default:
            throw WireDecodingError(offset: 0, message: "unknown journal record tag \(tag)")
        }
        try reader.expectEnd()
    }

    /// Slots of a record are 1 or more and far below overflow (`ProtocolLimits`), so
    /// replaying a damaged record that slipped past the checksum can never trap on arithmetic.
    private static func checkRun(_ firstSlot: Slot, count: Int, at offset: Int) throws(WireDecodingError) {
        guard firstSlot >= 1, firstSlot < ProtocolLimits.slotsAndBallots,
            UInt64(count) < ProtocolLimits.slotsAndBallots - firstSlot
        else {
            throw WireDecodingError(offset: offset, message: "slots \(firstSlot)+\(count) out of range")
        }
    }
}
