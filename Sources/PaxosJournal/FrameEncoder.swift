import PaxosCompression

/// Turns a batch of records into the exact bytes of one frame: header, stored payload, padding.
enum FrameEncoder {
    /// Encodes `records` (numbered from `firstSequence`) as one frame compressed with `codec`, or
    /// stored raw when compression does not shrink the payload.
    static func encode(_ records: [[UInt8]], firstSequence: UInt64, codec: Codec) throws(JournalError) -> (
        bytes: [UInt8], header: FrameHeader
    ) {
        var payload: [UInt8] = []
        payload.reserveCapacity(records.reduce(0) { $0 + RecordPayload.encodedSize(ofRecordWithCount: $1.count) })
        RecordPayload.encode(records, into: &payload)
        guard payload.count <= JournalFormat.maxPayloadBytes, records.count <= Int(UInt32.max) else {
            throw JournalError(
                .invalidArgument,
                "batch of \(payload.count) bytes exceeds the frame limit of \(JournalFormat.maxPayloadBytes)")
        }
        var storedCodec = Codec.none
        var stored = payload
        do {
            if let compressed = try BlockCompressor.compress(payload, codec: codec) {
                stored = compressed
                storedCodec = codec
            }
        } catch {
            throw JournalError(.io, "compression failed: \(error)")
        }
        var header = FrameHeader(
            type: .full, codec: storedCodec, storedLength: UInt32(stored.count), firstSequence: firstSequence,
            recordCount: UInt32(records.count), uncompressedLength: UInt32(payload.count), checksum: 0)
        header.checksum = stored.withUnsafeBytes { header.computeChecksum(storedPayload: $0) }
        var bytes = header.encoded(checksum: header.checksum)
        bytes.reserveCapacity(header.frameSize)
        bytes.append(contentsOf: stored)
        bytes.append(contentsOf: repeatElement(0, count: header.frameSize - bytes.count))
        return (bytes, header)
    }
}
