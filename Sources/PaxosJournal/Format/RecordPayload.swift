/// The uncompressed payload of a frame: each record as a LEB128 varint length and its bytes.
///
/// Varint lengths cost one byte for records under 128 bytes, which is most Paxos log entries.
enum RecordPayload {
    /// Encodes `records` back to back.
    static func encode(_ records: some Sequence<[UInt8]>, into bytes: inout [UInt8]) {
        for record in records {
            var length = UInt64(record.count)
            while length >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: length) | 0x80)
                length >>= 7
            }
            bytes.append(UInt8(length))
            bytes.append(contentsOf: record)
        }
    }

    /// The encoded size of one record.
    static func encodedSize(ofRecordWithCount count: Int) -> Int {
        var size = 1
        var length = count >> 7
        while length > 0 {
            size += 1
            length >>= 7
        }
        return size + count
    }

    /// Decodes exactly `count` records that must use up all of `bytes`.
    static func decode(_ bytes: [UInt8], count: Int) -> Result<[[UInt8]], FrameDefect> {
        var records: [[UInt8]] = []
        records.reserveCapacity(count)
        var position = 0
        while records.count < count {
            var length: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard position < bytes.count, shift < 64 else {
                    return .failure(.init("record \(records.count) length runs past the payload"))
                }
                let byte = bytes[position]
                position += 1
                length |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            guard length <= UInt64(bytes.count - position) else {
                return .failure(
                    .init("record \(records.count) claims \(length) bytes, only \(bytes.count - position) remain"))
            }
            let end = position + Int(length)
            records.append(Array(bytes[position..<end]))
            position = end
        }
        guard position == bytes.count else {
            return .failure(.init("\(bytes.count - position) stray bytes after \(count) records"))
        }
        return .success(records)
    }
}
