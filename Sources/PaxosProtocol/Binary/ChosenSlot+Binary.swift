import PaxosCore

extension ChosenSlot {
    /// The slot as a log store record: slot, first index, duplicate positions, then the value.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 32 + value.byteCount)
        writer.write(slot)
        writer.write(firstIndex)
        writer.write(UInt32(skippedPositions.count))
        for position in skippedPositions { writer.write(UInt32(position)) }
        writer.write(value)
        return writer.bytes
    }

    /// Decodes a record written by `encoded()`, checking that every number is in range.
    public init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        let (slot, firstIndex, positions) = try reader.readChosenSlotHeader()
        let positionsOffset = reader.offset
        let value = try reader.readSlotValue()
        try reader.expectEnd()
        let entryCount: Int
        if case .entries(let entries) = value { entryCount = entries.count } else { entryCount = 0 }
        guard zip(positions, positions.dropFirst()).allSatisfy({ $0 < $1 }), positions.allSatisfy({ $0 < entryCount })
        else {
            throw WireDecodingError(
                offset: positionsOffset, message: "duplicate positions \(positions) do not fit \(entryCount) entries")
        }
        self.init(slot: slot, value: value, firstIndex: firstIndex, skippedPositions: positions)
    }
}
