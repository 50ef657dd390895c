/// Appends little-endian integers and length-prefixed bytes to a buffer.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt8) { bytes.append(value) }

    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ flag: Bool) { bytes.append(flag ? 1 : 0) }

    /// Raw bytes, as they are.
    public mutating func append(_ slice: ArraySlice<UInt8>) { bytes.append(contentsOf: slice) }

    /// A u32 length, then the bytes.
    public mutating func writeLengthPrefixed(_ data: [UInt8]) {
        write(UInt32(data.count))
        bytes.append(contentsOf: data)
    }
}
