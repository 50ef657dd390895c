import PaxosCompression

/// The 32-byte header in front of every frame's payload (layout in ``JournalFormat``).
public struct FrameHeader: Sendable, Equatable {
    /// What the frame holds.
    public var type: FrameType
    /// How the stored payload is compressed.
    public var codec: Codec
    /// Length of the payload as stored on disk (after compression).
    public var storedLength: UInt32
    /// The sequence number of the frame's first record.
    public var firstSequence: UInt64
    /// How many records the frame holds; at least 1.
    public var recordCount: UInt32
    /// Length of the payload before compression.
    public var uncompressedLength: UInt32
    /// crc32 over the header (this field as zero) and the stored payload.
    public var checksum: UInt32

    /// The sequence number of the frame's last record.
    public var lastSequence: UInt64 { firstSequence + UInt64(recordCount) - 1 }

    /// Bytes the frame occupies on disk, header and padding included.
    public var frameSize: Int { JournalFormat.aligned(JournalFormat.frameHeaderSize + Int(storedLength)) }

    /// The 32 header bytes with the given checksum.
    func encoded(checksum: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(JournalFormat.frameHeaderSize)
        bytes.append(type.rawValue)
        bytes.append(codec.rawValue)
        LittleEndianBytes.append(UInt16(0), to: &bytes)
        LittleEndianBytes.append(storedLength, to: &bytes)
        LittleEndianBytes.append(firstSequence, to: &bytes)
        LittleEndianBytes.append(recordCount, to: &bytes)
        LittleEndianBytes.append(uncompressedLength, to: &bytes)
        LittleEndianBytes.append(checksum, to: &bytes)
        LittleEndianBytes.append(UInt32(0), to: &bytes)
        return bytes
    }

    /// The checksum a frame with this header and `storedPayload` must carry.
    func computeChecksum(storedPayload: UnsafeRawBufferPointer) -> UInt32 {
        let headerBytes = encoded(checksum: 0)
        return Checksum.crc32(storedPayload, continuing: Checksum.crc32(headerBytes))
    }

    /// Parses the fixed fields of a frame header and checks they are plausible, before any checksum.
    ///
    /// Returns a description of the first implausible field instead of a header, so the scanner can
    /// say what it expected and what it found.
    static func parse(_ bytes: ArraySlice<UInt8>) -> Result<FrameHeader, FrameDefect> {
        guard bytes.count >= JournalFormat.frameHeaderSize else {
            return .failure(.init("frame header truncated (expected 32 bytes, found \(bytes.count))"))
        }
        let base = bytes.startIndex
        guard let type = FrameType(rawValue: bytes[base]) else {
            return .failure(.init("bad frame type (expected 1, found \(bytes[base]))"))
        }
        guard let codec = Codec(rawValue: bytes[base + 1]) else {
            return .failure(.init("unknown frame codec (expected 0, 1 or 2, found \(bytes[base + 1]))"))
        }
        let flags = LittleEndianBytes.load(UInt16.self, from: bytes, at: 2)
        let reserved = LittleEndianBytes.load(UInt32.self, from: bytes, at: 28)
        guard flags == 0, reserved == 0 else {
            return .failure(.init("nonzero reserved frame fields (flags \(hex(flags)), reserved \(hex(reserved)))"))
        }
        let header = FrameHeader(
            type: type, codec: codec,
            storedLength: LittleEndianBytes.load(UInt32.self, from: bytes, at: 4),
            firstSequence: LittleEndianBytes.load(UInt64.self, from: bytes, at: 8),
            recordCount: LittleEndianBytes.load(UInt32.self, from: bytes, at: 16),
            uncompressedLength: LittleEndianBytes.load(UInt32.self, from: bytes, at: 20),
            checksum: LittleEndianBytes.load(UInt32.self, from: bytes, at: 24))
        guard header.recordCount >= 1, header.firstSequence >= 1,
            header.uncompressedLength >= header.recordCount,
            Int(header.uncompressedLength) <= JournalFormat.maxPayloadBytes
        else {
            return .failure(
                .init(
                    "implausible frame header (first sequence \(header.firstSequence), \(header.recordCount) records, "
                        + "\(header.uncompressedLength) bytes uncompressed)"))
        }
        if codec == .none, header.storedLength != header.uncompressedLength {
            return .failure(
                .init(
                    "raw frame lengths disagree (stored \(header.storedLength), "
                        + "uncompressed \(header.uncompressedLength))"))
        }
        return .success(header)
    }
}
