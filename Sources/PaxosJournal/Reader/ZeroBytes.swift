#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Fast searches over mostly-zero buffers (preallocated segment space) using memcmp and memchr,
/// so scanning a 64 MiB segment's empty tail costs milliseconds even in a debug build.
enum ZeroBytes {
    /// One block of zeros to compare against.
    private static let block = [UInt8](repeating: 0, count: 4096)

    /// Index of the first nonzero byte of `bytes`, if any.
    static func firstNonZero(in bytes: [UInt8]) -> Int? {
        var start = 0
        while start < bytes.count {
            let count = min(block.count, bytes.count - start)
            if !isZero(bytes, start, count) {
                return bytes[start..<(start + count)].firstIndex { $0 != 0 }
            }
            start += count
        }
        return nil
    }

    /// Index of the last nonzero byte of `bytes`, if any.
    static func lastNonZero(in bytes: [UInt8]) -> Int? {
        var end = bytes.count
        while end > 0 {
            let count = min(block.count, end)
            if !isZero(bytes, end - count, count) {
                return bytes[(end - count)..<end].lastIndex { $0 != 0 }
            }
            end -= count
        }
        return nil
    }

    /// Index of the first byte equal to `value` at or after `start`, if any.
    static func firstIndex(of value: UInt8, in bytes: [UInt8], from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        return bytes.withUnsafeBytes { buffer -> Int? in
            guard let base = buffer.baseAddress,
                let hit = memchr(base + start, Int32(value), buffer.count - start)
            else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }
    }

    private static func isZero(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Bool {
        bytes.withUnsafeBytes { buffer in
            block.withUnsafeBytes { zeros in
                guard let base = buffer.baseAddress, let zero = zeros.baseAddress else { return true }
                return memcmp(base + start, zero, count) == 0
            }
        }
    }
}
