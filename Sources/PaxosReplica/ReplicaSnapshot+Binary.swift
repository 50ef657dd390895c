import PaxosCore
import PaxosProtocol

extension ReplicaSnapshot {
    /// The version of the layout `encoded()` writes. Version 1 had no first index (nothing could
    /// be trimmed yet): it decodes with first index 1. Version 2 had no membership (it could not
    /// change yet): it decodes with none, the cluster's first.
    public static let formatVersion: UInt16 = 3

    /// The snapshot as bytes, little-endian; the checkpoint file adds its header and checksum.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 64 + dedup.reduce(0) { $0 + 24 + $1.sequences.count * 16 })
        writer.write(promised != nil)
        if let promised { writer.write(promised) }
        writer.write(highestBallotNumberSeen)
        writer.write(commitIndex)
        writer.write(lastIndex)
        writer.write(firstIndex)
        writer.write(isRecovering)
        let slots = accepted.keys.sorted()
        writer.write(UInt32(slots.count))
        for slot in slots {
            guard let value = accepted[slot] else { continue }
            writer.write(slot)
            writer.write(value.ballot)
            writer.write(value.value)
        }
        writer.write(dedup)
        writer.write(membership != nil)
        if let membership { writer.write(membership) }
        return writer.bytes
    }

    /// Decodes what `encoded()` wrote (or version 1 of it), checking every count against the bytes
    /// present.
    public init(decoding bytes: [UInt8], formatVersion: UInt16 = Self.formatVersion) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        promised = try reader.readBool() ? try reader.readBallot() : nil
        highestBallotNumberSeen = try reader.read()
        commitIndex = try reader.read()
        lastIndex = try reader.read()
        let firstIndexOffset = reader.offset
        firstIndex = formatVersion >= 2 ? try reader.read() : 1
        guard firstIndex >= 1, firstIndex <= lastIndex + 1 else {
            throw WireDecodingError(
                offset: firstIndexOffset, message: "first index \(firstIndex) is not within 1...\(lastIndex + 1)")
        }
        isRecovering = try reader.readBool()
        let acceptedCount = try reader.readCount(minimumElementSize: 20)
        accepted = [:]
        for _ in 0..<acceptedCount {
            let slotOffset = reader.offset
            let slot: Slot = try reader.read()
            let ballot = try reader.readBallot()
            let value = try reader.readSlotValue()
            guard slot > commitIndex, slot < ProtocolLimits.slotsAndBallots else {
                throw WireDecodingError(
                    offset: slotOffset, message: "accepted slot \(slot) is not after commit \(commitIndex)")
            }
            accepted[slot] = AcceptedValue(ballot: ballot, value: value)
        }
        dedup = try reader.readDedupSessions()
        let hasMembership = formatVersion >= 3 ? try reader.readBool() : false
        membership = hasMembership ? try reader.readMembership() : nil
        try reader.expectEnd()
    }
}
