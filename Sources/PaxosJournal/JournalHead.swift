/// `HEAD`: which segment is the newest, so that losing the newest segment files is noticed.
///
/// A journal whose last segments were deleted still opens cleanly: the segment that is now last
/// was sealed whole, and nothing in it says another followed. So each new segment, once it is in
/// place and the directory synced, is recorded here (replaced atomically, once per segment, so
/// about once per 64 MiB written). At open, a HEAD naming a segment newer than any present is a
/// finding (``OpenFindings/missingSegments``). A journal copied whole from an older backup has a
/// HEAD as old as its segments and is not detected.
///
/// Format (little-endian, 28 bytes): magic `PXLGHEAD` (8), segment id (8), base sequence (8),
/// CRC-32 of the preceding 24 bytes (4).
struct JournalHead: Hashable, Sendable {
    var segmentID: UInt64
    var baseSequence: UInt64

    static let fileName = "HEAD"
    static let magic = Array("PXLGHEAD".utf8)

    static func path(in directory: String) -> String { directory + "/" + fileName }

    /// Records `self` as the newest segment of the journal in `directory`, durably.
    func record(in directory: String) throws(JournalError) {
        var bytes = Self.magic
        LittleEndianBytes.append(segmentID, to: &bytes)
        LittleEndianBytes.append(baseSequence, to: &bytes)
        LittleEndianBytes.append(Checksum.crc32(bytes), to: &bytes)
        try AtomicFile.write(bytes, to: Self.path(in: directory), mode: 0o644)
    }

    /// The HEAD in `directory`; nil when there is none (a journal written before HEAD existed).
    static func read(in directory: String) throws(JournalError) -> JournalHead? {
        let path = path(in: directory)
        guard let bytes = try AtomicFile.read(path, limit: 4096) else { return nil }
        guard bytes.count == 28, Array(bytes[0..<8]) == magic,
            LittleEndianBytes.load(UInt32.self, from: bytes, at: 24) == Checksum.crc32(bytes[0..<24])
        else {
            throw JournalError(.corrupt, "not a valid HEAD file (\(bytes.count) bytes)", path: path)
        }
        return JournalHead(
            segmentID: LittleEndianBytes.load(UInt64.self, from: bytes, at: 8),
            baseSequence: LittleEndianBytes.load(UInt64.self, from: bytes, at: 16))
    }
}
