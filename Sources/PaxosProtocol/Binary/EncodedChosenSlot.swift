import PaxosCore

/// A `ChosenSlot` record read in place: its slot, its indexes, and where the bytes of each entry
/// that took an index lie, without building `ClientEntry` values. Streaming reads of the log copy
/// entries from here straight into a reply, one allocation per slot instead of one per entry.
/// Validates exactly what `ChosenSlot(decoding:)` does.
public struct EncodedChosenSlot {
    public let slot: Slot
    public let firstIndex: UInt64
    /// The record, and the byte ranges of the entries that took an index, in index order.
    public let bytes: [UInt8]
    public let appliedRanges: [Range<Int>]

    public var lastIndex: UInt64 { firstIndex + UInt64(appliedRanges.count) - 1 }

    public init(decoding bytes: [UInt8]) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        let (slot, firstIndex, duplicates) = try reader.readChosenSlotHeader()
        let valueOffset = reader.offset
        var ranges: [Range<Int>] = []
        var entryCount = 0
        let tag: UInt8 = try reader.read()
        switch tag {
        case 0:
            break
        case 1:
            entryCount = try reader.readCount(minimumElementSize: 20)
            ranges.reserveCapacity(entryCount - duplicates.count)
            var nextDuplicate = 0
            for position in 0..<entryCount {
                _ = try reader.read(UInt64.self)  // the key: session
                _ = try reader.read(UInt64.self)  // and sequence
                let range = try reader.skipLengthPrefixed()
                if nextDuplicate < duplicates.count && duplicates[nextDuplicate] == position {
                    nextDuplicate += 1
                } else {
                    ranges.append(range)
                }
            }
        case 2:
            _ = try reader.readTrimIndex()  // checked as readSlotValue checks it; a trim takes no index
        case 3:
            _ = try reader.readMembership()  // likewise; a membership takes no index either
        default:
            throw WireDecodingError(offset: valueOffset, message: "unknown slot value tag \(tag)")
        }
        try reader.expectEnd()
        guard zip(duplicates, duplicates.dropFirst()).allSatisfy({ $0 < $1 }),
            duplicates.allSatisfy({ $0 < entryCount }), ranges.count == entryCount - duplicates.count
        else {
            throw WireDecodingError(
                offset: valueOffset, message: "duplicate positions \(duplicates) do not fit \(entryCount) entries")
        }
        self.slot = slot
        self.firstIndex = firstIndex
        self.bytes = bytes
        appliedRanges = ranges
    }
}

extension ByteReader {
    /// The fields of a `ChosenSlot` record before its value: slot, first index (both checked in
    /// range) and the positions of duplicates.
    mutating func readChosenSlotHeader() throws(WireDecodingError) -> (Slot, UInt64, [Int]) {
        let slot: Slot = try read()
        let firstIndex: UInt64 = try read()
        guard slot >= 1, slot < ProtocolLimits.slotsAndBallots, firstIndex >= 1,
            firstIndex < ProtocolLimits.slotsAndBallots
        else {
            throw WireDecodingError(offset: 0, message: "slot \(slot) or first index \(firstIndex) out of range")
        }
        let duplicateCount = try readCount(minimumElementSize: 4)
        var duplicates: [Int] = []
        duplicates.reserveCapacity(duplicateCount)
        for _ in 0..<duplicateCount { duplicates.append(Int(try read(UInt32.self))) }
        return (slot, firstIndex, duplicates)
    }

    /// Skips a u32 length and that many bytes, returning where they lie.
    public mutating func skipLengthPrefixed() throws(WireDecodingError) -> Range<Int> {
        let start = offset
        let count = Int(try read(UInt32.self))
        guard count <= remaining else {
            throw WireDecodingError(offset: start, message: "length \(count) exceeds the \(remaining) bytes left")
        }
        let range = offset..<(offset + count)
        skip(count)
        return range
    }
}

extension ByteWriter {
    /// A u32 length, then `bytes[range]`.
    public mutating func writeLengthPrefixed(_ bytes: [UInt8], range: Range<Int>) {
        write(UInt32(range.count))
        append(bytes[range])
    }
}
