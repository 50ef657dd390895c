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
            self = .accepted(ballot: ballot, firstSlot: firstSlot, values: try reader.readSlotValues())
        case 3:
            let commitIndex: Slot = try reader.read()
            self = .committed(commitIndex: commitIndex, ballot: try reader.readBallot())
        case 4:
            let firstSlot: Slot = try reader.read()
            self = .chosen(firstSlot: firstSlot, values: try reader.readSlotValues())
        case 5:
            self = .recoveryStarted
        case 6:
            self = .recoveryCompleted(ballot: try reader.readBallot())
        default:
            throw WireDecodingError(offset: 0, message: "unknown journal record tag \(tag)")
        }
        try reader.expectEnd()
    }
}
