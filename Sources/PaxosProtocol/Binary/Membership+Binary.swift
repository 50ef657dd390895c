import PaxosCore

extension ByteWriter {
    /// A membership: a member count, then per member its id, whether it votes, and its address
    /// (length-prefixed UTF-8).
    public mutating func write(_ membership: Membership) {
        write(UInt32(membership.members.count))
        for member in membership.members {
            write(member.id.rawValue)
            write(member.isVoter)
            writeLengthPrefixed(Array(member.address.utf8))
        }
    }
}

extension ByteReader {
    /// Reads what `ByteWriter.write(_: Membership)` wrote: ids in ascending order, at least one
    /// voter, addresses of valid UTF-8.
    public mutating func readMembership() throws(WireDecodingError) -> Membership {
        let start = offset
        let count = try readCount(minimumElementSize: 9)
        var members: [Membership.Member] = []
        members.reserveCapacity(count)
        for _ in 0..<count {
            let memberOffset = offset
            let id = NodeID(try read(UInt32.self))
            let isVoter = try readBool()
            let bytes = try readLengthPrefixed()
            guard let address = String(validating: bytes, as: UTF8.self) else {
                throw WireDecodingError(offset: memberOffset, message: "the address of member \(id) is not UTF-8")
            }
            if let previous = members.last, previous.id >= id {
                throw WireDecodingError(offset: memberOffset, message: "member \(id) is out of order")
            }
            members.append(Membership.Member(id: id, isVoter: isVoter, address: address))
        }
        guard members.contains(where: \.isVoter) else {
            throw WireDecodingError(offset: start, message: "a membership without a voter")
        }
        return Membership(members: members)
    }
}
