/// Bytes that could not be decoded: where, and why.
public struct WireDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Offset of the problem within the decoded buffer.
    public var offset: Int
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "at byte \(offset): \(message)" }
}

/// Reads what `ByteWriter` wrote, checking every length against the bytes that remain, so damaged
/// or hostile input is an error and never a crash or a huge allocation.
public struct ByteReader: Sendable {
    private let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }

    public mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws(WireDecodingError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else {
            throw WireDecodingError(offset: offset, message: "needs \(size) more bytes, \(remaining) left")
        }
        // One unaligned load (the bounds are checked above), not a shift per byte: decoding entries
        // on the read path is mostly this.
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        offset += size
        return T(littleEndian: value)
    }

    public mutating func readBool() throws(WireDecodingError) -> Bool {
        let start = offset
        switch try read(UInt8.self) {
        case 0: return false
        case 1: return true
        case let other: throw WireDecodingError(offset: start, message: "flag byte \(other) is neither 0 nor 1")
        }
    }

    public mutating func readLengthPrefixed() throws(WireDecodingError) -> [UInt8] {
        let start = offset
        let count = Int(try read(UInt32.self))
        guard count <= remaining else {
            throw WireDecodingError(offset: start, message: "length \(count) exceeds the \(remaining) bytes left")
        }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// Reads an element count and checks it is plausible: each element takes at least
    /// `minimumElementSize` bytes of what remains.
    public mutating func readCount(minimumElementSize: Int) throws(WireDecodingError) -> Int {
        let start = offset
        let count = Int(try read(UInt32.self))
        guard count <= remaining / max(1, minimumElementSize) else {
            throw WireDecodingError(offset: start, message: "count \(count) cannot fit in the \(remaining) bytes left")
        }
        return count
    }

    /// Moves past `count` bytes, which the caller checked are there.
    mutating func skip(_ count: Int) {
        offset += count
    }

    /// Fails unless every byte was consumed.
    public func expectEnd() throws(WireDecodingError) {
        guard remaining == 0 else {
            throw WireDecodingError(offset: offset, message: "\(remaining) unexpected trailing bytes")
        }
    }
}
