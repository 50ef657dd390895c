import PaxosCompression

/// Turns a batch of records into the exact bytes of one frame: header, stored payload, padding.
enum FrameEncoder {
    /// Encodes `records` (numbered from `firstSequence`) as one frame compressed with `codec`, or
    /// stored raw when compression does not shrink the payload.
    static func encode(_ records: [[UInt8]], firstSequence: UInt64, codec: Codec) throws(JournalError) -> (
        bytes: [UInt8], header: FrameHeader
    ) {
        var bytes: [UInt8] = []
        let header = try encode(records, firstSequence: firstSequence, codec: codec, into: &bytes)
        return (bytes, header)
    }

    /// Encodes the frame into `frame`, replacing its contents but keeping its capacity: the
    /// writer reuses one buffer for every batch, so a batch costs no fresh memory to fault in,
    /// and raw payloads are encoded where they will be written (one copy of each record, not two).
    static func encode(
        _ records: [[UInt8]], firstSequence: UInt64, codec: Codec, into frame: inout [UInt8]
    ) throws(JournalError) -> FrameHeader {
        let headerSize = JournalFormat.frameHeaderSize
        let payloadSize = records.reduce(0) { $0 + RecordPayload.encodedSize(ofRecordWithCount: $1.count) }
        guard payloadSize <= JournalFormat.maxPayloadBytes, records.count <= Int(UInt32.max) else {
            throw JournalError(
                .invalidArgument,
                "batch of \(payloadSize) bytes exceeds the frame limit of \(JournalFormat.maxPayloadBytes)")
        }
        frame.removeAll(keepingCapacity: true)
        frame.reserveCapacity(JournalFormat.aligned(headerSize + payloadSize))
        frame.append(contentsOf: repeatElement(0, count: headerSize))
        RecordPayload.encode(records, into: &frame)

        var storedCodec = Codec.none
        if codec != .none {
            do {
                if let compressed = try BlockCompressor.compress(Array(frame[headerSize...]), codec: codec) {
                    frame.removeSubrange(headerSize...)
                    frame.append(contentsOf: compressed)
                    storedCodec = codec
                }
            } catch {
                throw JournalError(.io, "compression failed: \(error)")
            }
        }
        let storedLength = frame.count - headerSize
        var header = FrameHeader(
            type: .full, codec: storedCodec, storedLength: UInt32(storedLength), firstSequence: firstSequence,
            recordCount: UInt32(records.count), uncompressedLength: UInt32(payloadSize), checksum: 0)
        header.checksum = frame.withUnsafeBytes { whole in
            header.computeChecksum(storedPayload: UnsafeRawBufferPointer(rebasing: whole[headerSize...]))
        }
        frame.replaceSubrange(0..<headerSize, with: header.encoded(checksum: header.checksum))
        frame.append(contentsOf: repeatElement(0, count: header.frameSize - frame.count))
        return header
    }
}
