/// What became of a client request, as the wire carries it: a tag byte naming the case, then
/// that case's fields.
public protocol WireStatus: Hashable, Sendable {
    /// Writes the tag and the case's fields.
    func write(to writer: inout ByteWriter)

    /// Reads a tag and its case's fields; an unknown tag is an error at the tag's offset.
    init(reading reader: inout ByteReader) throws(WireDecodingError)
}

/// The fields that several statuses carry alike, written one way for all of them: a client reads
/// "not the leader" and "failed" the same whatever it asked.
extension ByteWriter {
    /// The tag, then a fixed-width field.
    mutating func write<Field: FixedWidthInteger>(tag: UInt8, _ field: Field) {
        write(tag)
        write(field)
    }

    /// The tag, then the node believed to lead as a u32 (0: none known; 0 is no node's id).
    mutating func write(tag: UInt8, leader: UInt32?) { write(tag: tag, leader ?? 0) }

    /// The tag, then a failure's reason: a u32 length and its UTF-8.
    mutating func write(tag: UInt8, reason: String) {
        write(tag)
        writeLengthPrefixed(Array(reason.utf8))
    }
}

extension ByteReader {
    /// What `ByteWriter.write(tag:leader:)` wrote after the tag.
    mutating func readLeader() throws(WireDecodingError) -> UInt32? {
        let leader: UInt32 = try read()
        return leader == 0 ? nil : leader
    }

    /// What `ByteWriter.write(tag:reason:)` wrote after the tag; bytes that are not UTF-8 are an
    /// error (a decoded frame must encode back to the same bytes).
    mutating func readReason() throws(WireDecodingError) -> String {
        let start = offset
        guard let reason = String(validating: try readLengthPrefixed(), as: UTF8.self) else {
            throw WireDecodingError(offset: start, message: "failure message is not UTF-8")
        }
        return reason
    }
}
