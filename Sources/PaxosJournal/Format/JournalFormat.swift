/// The on-disk format of a journal, version 1. Every integer is little-endian.
///
/// A journal is a directory. It holds segment files named after the first sequence number they can
/// hold (`%020llu.seg`, so `ls` sorts them in log order) and a `LOCK` file holding the writer's pid.
/// The first sequence number of a journal is 1. Nothing is ever rewritten in place except the
/// never-acknowledged torn tail of the last segment, which recovery zeroes.
///
/// ```
/// segment file (preallocated to the segment size, zero-filled after the last frame)
/// +-----------------------------+  offset 0
/// | segment header (64 bytes)   |
/// +-----------------------------+  offset 64
/// | frame | frame | ... | 0 0 0 |  each frame starts on an 8-byte boundary
/// +-----------------------------+
///
/// segment header                         frame header (32 bytes), then payload, then zero padding
///  0  magic "PXLJSEG1"      8 bytes       0  type (1 = full batch; 0 never valid)  u8
///  8  format version        u16           1  codec (0 none, 1 lz4, 2 zlib)         u8
/// 10  header size (64)      u16           2  flags (0)                             u16
/// 12  feature flags (0)     u32           4  stored payload length                 u32
/// 16  segment id            u64           8  first sequence number                 u64
/// 24  base sequence number  u64          16  record count                          u32
/// 32  default codec         u8           20  uncompressed payload length           u32
/// 33  reserved (zero)       27 bytes     24  crc32 (zlib) of header (crc as 0),   u32
/// 60  crc32 of bytes 0..<60 u32              then of the stored payload
///                                        28  reserved (zero)                       u32
///                                        32  stored payload, zero padding to 8 bytes
/// ```
///
/// The uncompressed payload is each record as a LEB128 varint length followed by its bytes. It is
/// compressed per frame with the frame's codec; when compression does not shrink it, it is stored
/// raw with codec `none`. No compressor state is carried between frames, so any frame decodes alone.
/// One batch of appends is one frame (the `type` field leaves room for multi-frame batches later).
///
/// Why these choices: frames are 8-aligned so a length word is never torn across a sector; the
/// frame type 0 is invalid so zeroed, preallocated space never parses as a frame; the segment id is
/// max existing + 1 so it is never reused even after retention deleted older segments; sequence
/// numbers are checked to be contiguous across frames and segments so a lost file is detected.
public enum JournalFormat {
    /// The format version this library writes; readers refuse any other.
    public static let version: UInt16 = 1
    /// Every format version this library can read.
    public static let readableVersions: Set<UInt16> = [1]
    /// The 8 magic bytes that open every segment file ("PXLJSEG1").
    public static let segmentMagic: [UInt8] = Array("PXLJSEG1".utf8)
    /// Size of the segment header; frames start right after it.
    public static let segmentHeaderSize = 64
    /// Size of a frame header; the payload follows.
    public static let frameHeaderSize = 32
    /// Frames start on multiples of this many bytes.
    public static let frameAlignment = 8
    /// Suffix of segment files.
    public static let segmentSuffix = ".seg"
    /// Suffix of a segment being created; such files are removed at open.
    public static let temporarySuffix = ".seg.tmp"
    /// Name of the lock file inside the journal directory.
    public static let lockFileName = "LOCK"
    /// The largest uncompressed payload of one frame (bounded by LZ4's block limit and the u32 field).
    public static let maxPayloadBytes = 0x7E00_0000

    /// The file name of the segment whose first sequence number is `baseSequence`.
    public static func segmentFileName(baseSequence: UInt64) -> String {
        let digits = String(baseSequence)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + segmentSuffix
    }

    /// The base sequence number encoded in a segment file name, or nil if `name` is not one.
    public static func baseSequence(fromFileName name: String) -> UInt64? {
        guard name.hasSuffix(segmentSuffix) else { return nil }
        let stem = name.dropLast(segmentSuffix.count)
        guard stem.count == 20, stem.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(stem)
    }

    /// `count` rounded up to the frame alignment.
    static func aligned(_ count: Int) -> Int {
        (count + frameAlignment - 1) / frameAlignment * frameAlignment
    }
}
