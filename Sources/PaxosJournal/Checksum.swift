import CZlib

/// zlib's crc32, chosen because zlib is already linked and its table-driven crc32 runs at several
/// GB/s, far beyond the speed of an fdatasync-bound log.
enum Checksum {
    /// The crc32 of `buffer`, continuing from `previous` (0 to start).
    static func crc32(_ buffer: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        var crc = uLong(previous)
        guard let base = buffer.baseAddress else { return previous }
        var start = 0
        // zlib's length parameter is 32-bit: feed huge buffers in pieces.
        while start < buffer.count {
            let count = min(buffer.count - start, 1 << 30)
            crc = CZlib.crc32(crc, (base + start).assumingMemoryBound(to: Bytef.self), uInt(count))
            start += count
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    /// The crc32 of `bytes`, continuing from `previous` (0 to start).
    static func crc32(_ bytes: ArraySlice<UInt8>, continuing previous: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { crc32($0, continuing: previous) }
    }

    /// The crc32 of `bytes`, continuing from `previous` (0 to start).
    static func crc32(_ bytes: [UInt8], continuing previous: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { crc32($0, continuing: previous) }
    }
}
