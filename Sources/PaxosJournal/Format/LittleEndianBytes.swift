/// Little-endian integer access to byte arrays, bounds-checked by the caller's layout constants.
///
/// The format is fixed little-endian so files move between machines; these helpers keep the
/// encoding in one place instead of scattered shifts.
public enum LittleEndianBytes {
    /// Appends `value` to `bytes` as `T.bitWidth / 8` little-endian bytes.
    public static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        var remaining = value.littleEndian
        withUnsafeBytes(of: &remaining) { bytes.append(contentsOf: $0) }
    }

    /// Writes `value` into `bytes` at `offset` as little-endian.
    public static func store<T: FixedWidthInteger>(_ value: T, into bytes: inout [UInt8], at offset: Int) {
        let size = T.bitWidth / 8
        for index in 0..<size {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index))
        }
    }

    /// Reads a little-endian `T` from `bytes` starting at `offset`.
    public static func load<T: FixedWidthInteger, C: RandomAccessCollection<UInt8>>(
        _: T.Type, from bytes: C, at offset: Int
    ) -> T where C.Index == Int {
        var value: T = 0
        let start = bytes.startIndex + offset
        for index in 0..<(T.bitWidth / 8) {
            value |= T(bytes[start + index]) << (8 * index)
        }
        return value
    }
}
