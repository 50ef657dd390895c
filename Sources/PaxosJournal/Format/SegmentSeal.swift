/// What a sealed segment holds, kept beside it (`<segment>.sealed`) from the moment the writer
/// leaves it, so that opening a journal of many segments does not read them all again: a Kafka
/// log does the same with its index files and recovery point.
///
/// Only a journal opened with `JournalOptions.trustsSealedSegments` uses seals (the node's log
/// store, whose history grows without bound); its frames are still verified whenever they are
/// read. A seal that does not match its segment exactly (id, base sequence, file size), or fails
/// its checksum, is ignored and the segment is scanned as before, so a stale or damaged seal costs
/// time, never correctness.
///
/// Format (little-endian): magic `PXLGSEAL` (8), version 1 (2), reserved (2), segment id (8), base
/// sequence (8), last sequence (8), end offset (8), file size (8), sampled frame count (4), then
/// per sampled frame offset (8), first sequence (8), record count (4); CRC-32 of everything before
/// it (4).
struct SegmentSeal: Equatable, Sendable {
    var segmentID: UInt64
    var baseSequence: UInt64
    var lastSequence: UInt64
    var endOffset: Int64
    var fileSize: Int64
    /// Every `SegmentIndex.sparseStride`-th frame.
    var frames: [FrameLocation]

    static let magic = Array("PXLGSEAL".utf8)
    static let version: UInt16 = 1
    static let suffix = ".sealed"
    static let fixedSize = 8 + 2 + 2 + 8 * 5 + 4

    static func path(of segmentPath: String) -> String { segmentPath + suffix }

    func encoded() -> [UInt8] {
        var bytes = Self.magic
        bytes.reserveCapacity(Self.fixedSize + frames.count * 20 + 4)
        LittleEndianBytes.append(Self.version, to: &bytes)
        LittleEndianBytes.append(UInt16(0), to: &bytes)
        LittleEndianBytes.append(segmentID, to: &bytes)
        LittleEndianBytes.append(baseSequence, to: &bytes)
        LittleEndianBytes.append(lastSequence, to: &bytes)
        LittleEndianBytes.append(UInt64(bitPattern: endOffset), to: &bytes)
        LittleEndianBytes.append(UInt64(bitPattern: fileSize), to: &bytes)
        LittleEndianBytes.append(UInt32(frames.count), to: &bytes)
        for frame in frames {
            LittleEndianBytes.append(UInt64(bitPattern: frame.offset), to: &bytes)
            LittleEndianBytes.append(frame.firstSequence, to: &bytes)
            LittleEndianBytes.append(frame.recordCount, to: &bytes)
        }
        LittleEndianBytes.append(Checksum.crc32(bytes), to: &bytes)
        return bytes
    }

    /// The seal in `bytes`, or nil when they are not a whole, valid one.
    static func decode(_ bytes: [UInt8]) -> SegmentSeal? {
        guard bytes.count >= fixedSize + 4, Array(bytes[0..<8]) == magic,
            LittleEndianBytes.load(UInt16.self, from: bytes, at: 8) == version
        else { return nil }
        let count = Int(LittleEndianBytes.load(UInt32.self, from: bytes, at: 52))
        let end = fixedSize + count * 20
        guard bytes.count == end + 4,
            LittleEndianBytes.load(UInt32.self, from: bytes, at: end) == Checksum.crc32(bytes[0..<end])
        else { return nil }
        let frames = (0..<count).map { number in
            let at = fixedSize + number * 20
            return FrameLocation(
                offset: Int64(bitPattern: LittleEndianBytes.load(UInt64.self, from: bytes, at: at)),
                firstSequence: LittleEndianBytes.load(UInt64.self, from: bytes, at: at + 8),
                recordCount: LittleEndianBytes.load(UInt32.self, from: bytes, at: at + 16))
        }
        let seal = SegmentSeal(
            segmentID: LittleEndianBytes.load(UInt64.self, from: bytes, at: 12),
            baseSequence: LittleEndianBytes.load(UInt64.self, from: bytes, at: 20),
            lastSequence: LittleEndianBytes.load(UInt64.self, from: bytes, at: 28),
            endOffset: Int64(bitPattern: LittleEndianBytes.load(UInt64.self, from: bytes, at: 36)),
            fileSize: Int64(bitPattern: LittleEndianBytes.load(UInt64.self, from: bytes, at: 44)), frames: frames)
        return seal.isPlausible ? seal : nil
    }

    /// Frames in order inside the segment, sequences from the base through the last.
    private var isPlausible: Bool {
        // Bounds first: the checks below add counts to sequences.
        let limit: UInt64 = 1 << 62
        guard baseSequence >= 1, lastSequence < limit,
            frames.allSatisfy({ $0.recordCount > 0 && $0.firstSequence < limit && $0.offset >= 0 }),
            let first = frames.first, first.firstSequence == baseSequence, lastSequence >= baseSequence,
            endOffset <= fileSize, endOffset >= Int64(JournalFormat.segmentHeaderSize)
        else { return false }
        return zip(frames, frames.dropFirst()).allSatisfy {
            $0.offset < $1.offset && $0.lastSequence < $1.firstSequence
        }
            && frames.allSatisfy { $0.recordCount > 0 && $0.offset < endOffset && $0.lastSequence <= lastSequence }
    }

    /// The seal of `segmentPath`, if one is there and readable.
    static func read(for segmentPath: String) -> SegmentSeal? {
        // A segment of a million frames samples 16,384 of them: about 320 KiB.
        guard let bytes = try? AtomicFile.read(path(of: segmentPath), limit: 4 << 20) else { return nil }
        return decode(bytes)
    }

    /// Writes the seal (atomically: a crash leaves it whole or absent).
    func write(for segmentPath: String) throws(JournalError) {
        try AtomicFile.write(encoded(), to: Self.path(of: segmentPath))
    }
}
