import PaxosCompression

/// The fixed 64-byte header at the start of every segment file (layout in ``JournalFormat``).
public struct SegmentHeader: Sendable, Equatable {
    /// The format version the segment was written with.
    public var version: UInt16
    /// Feature flags; none are defined in version 1, so any set bit is refused.
    public var featureFlags: UInt32
    /// Unique, never reused: one more than the largest id ever seen in the directory.
    public var segmentID: UInt64
    /// The sequence number of the first record this segment holds (or will hold).
    public var baseSequence: UInt64
    /// The codec new frames of this segment were configured with (each frame records its own).
    public var defaultCodec: Codec

    public init(segmentID: UInt64, baseSequence: UInt64, defaultCodec: Codec) {
        self.version = JournalFormat.version
        self.featureFlags = 0
        self.segmentID = segmentID
        self.baseSequence = baseSequence
        self.defaultCodec = defaultCodec
    }

    /// The 64 bytes written at offset 0 of the segment.
    func encoded() -> [UInt8] {
        var bytes = JournalFormat.segmentMagic
        LittleEndianBytes.append(version, to: &bytes)
        LittleEndianBytes.append(UInt16(JournalFormat.segmentHeaderSize), to: &bytes)
        LittleEndianBytes.append(featureFlags, to: &bytes)
        LittleEndianBytes.append(segmentID, to: &bytes)
        LittleEndianBytes.append(baseSequence, to: &bytes)
        bytes.append(defaultCodec.rawValue)
        bytes.append(contentsOf: repeatElement(0, count: 60 - bytes.count))
        LittleEndianBytes.append(Checksum.crc32(bytes), to: &bytes)
        return bytes
    }

    /// Parses and verifies a segment header.
    ///
    /// - Throws: `.corrupt` for a short or damaged header, `.unsupportedVersion` for a version this
    ///   library does not read; both name `path` and offset 0.
    static func decode(_ bytes: [UInt8], path: String) throws(JournalError) -> SegmentHeader {
        let size = JournalFormat.segmentHeaderSize
        guard bytes.count >= size else {
            throw JournalError(
                .corrupt, "segment header truncated (expected \(size) bytes, found \(bytes.count))",
                path: path, offset: 0)
        }
        let magic = Array(bytes[0..<8])
        guard magic == JournalFormat.segmentMagic else {
            throw JournalError(
                .corrupt, "bad segment magic (expected \(hex(JournalFormat.segmentMagic)), found \(hex(magic)))",
                path: path, offset: 0)
        }
        let stored = LittleEndianBytes.load(UInt32.self, from: bytes, at: 60)
        let computed = Checksum.crc32(bytes[0..<60])
        guard stored == computed else {
            throw JournalError(
                .corrupt,
                "segment header checksum mismatch (expected \(hex(computed)), found \(hex(stored)))",
                path: path, offset: 0)
        }
        let version = LittleEndianBytes.load(UInt16.self, from: bytes, at: 8)
        guard JournalFormat.readableVersions.contains(version) else {
            throw JournalError(
                .unsupportedVersion,
                "unsupported segment format version \(version) (this build reads versions "
                    + "\(JournalFormat.readableVersions.sorted().map(String.init).joined(separator: ", ")))",
                path: path, offset: 8)
        }
        let headerSize = LittleEndianBytes.load(UInt16.self, from: bytes, at: 10)
        let flags = LittleEndianBytes.load(UInt32.self, from: bytes, at: 12)
        guard Int(headerSize) == size, flags == 0 else {
            throw JournalError(
                .unsupportedVersion,
                "unsupported segment header (expected size \(size) and no feature flags, found size \(headerSize), "
                    + "flags \(hex(flags)))", path: path, offset: 10)
        }
        guard let codec = Codec(rawValue: bytes[32]) else {
            throw JournalError(.corrupt, "unknown default codec \(bytes[32]) in segment header", path: path, offset: 32)
        }
        var header = SegmentHeader(
            segmentID: LittleEndianBytes.load(UInt64.self, from: bytes, at: 16),
            baseSequence: LittleEndianBytes.load(UInt64.self, from: bytes, at: 24),
            defaultCodec: codec)
        header.version = version
        header.featureFlags = flags
        return header
    }
}
