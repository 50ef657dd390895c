import CDeflate

/// One message on a connection: a kind byte and its payload.
///
/// On the wire, little-endian:
///
/// ```
/// handshake frames (hello, challenge, proof, helloAccepted, refused):
///     u32 length | u8 kind | payload | u32 checksum
/// every frame after them, in each direction (application frames and keepalives):
///     u32 length | u8 kind | payload | tag [16] | u32 checksum
/// ```
///
/// The length counts the kind, the payload, the tag if any and the checksum; the checksum is the
/// CRC-32 (zlib's) of everything before it, the length word and the tag included. The tag is the
/// first 16 bytes of HMAC-SHA256(direction's session key, sequence u64 | length word | kind |
/// payload), where the sequence counts the direction's tagged frames from 0 and is not sent, and
/// the keys come from the handshake (``SessionKeys``, ``FrameAuthentication``). The connector tags
/// everything after its proof, the listener everything after its `helloAccepted`; the application
/// sees the same payloads either way.
///
/// The length is checked against a limit before anything is buffered, so a peer cannot make us
/// allocate more than the limit; a frame whose bytes were changed on the way (a flipped bit in a
/// NIC, a buggy middlebox, a mutated stream) is refused by its checksum before it is decoded; and a
/// frame that someone without the keys injected, altered, replayed, reordered, or sent after
/// dropping one, is refused by its tag, which closes the connection. None can enter the log.
///
/// ``wireBytes()`` and ``init(wireBytes:)`` handle untagged frames (the handshake's);
/// ``FrameAuthentication/wireBytes(of:)`` writes a tagged one.
public struct Frame: Hashable, Sendable {
    public var kind: UInt8
    public var payload: [UInt8]

    public init(kind: UInt8, payload: [UInt8]) {
        self.kind = kind
        self.payload = payload
    }

    /// The default limit on one frame: large enough for a 4 MiB entry in a batch, small enough
    /// that a garbage length is refused at once.
    public static let defaultMaximumSize = 64 << 20

    /// Bytes on the wire around the payload of an untagged frame: the length word, the kind and the
    /// checksum (a tagged frame has ``FrameAuthentication/tagSize`` more).
    public static let overhead = 9

    /// The frame as it goes on the wire.
    public func wireBytes() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.overhead + payload.count)
        withUnsafeBytes(of: UInt32(5 + payload.count).littleEndian) { bytes += $0 }
        bytes.append(kind)
        bytes += payload
        let checksum = bytes.withUnsafeBytes { Self.checksum($0) }
        withUnsafeBytes(of: checksum.littleEndian) { bytes += $0 }
        return bytes
    }

    /// Decodes exactly one frame written by `wireBytes()`: the length must match and the checksum hold.
    public init(wireBytes bytes: [UInt8]) throws(TransportError) {
        guard bytes.count >= Self.overhead else {
            throw TransportError(.malformedFrame, "\(bytes.count) bytes are too few for a frame")
        }
        let length = bytes.prefix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
        guard length + 4 == bytes.count else {
            throw TransportError(.malformedFrame, "frame length \(length) does not match its \(bytes.count) bytes")
        }
        let stored = bytes.suffix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let computed = bytes.withUnsafeBytes { Self.checksum(UnsafeRawBufferPointer(rebasing: $0.dropLast(4))) }
        guard stored == computed else { throw Self.checksumMismatch(stored: stored, computed: computed) }
        self.init(kind: bytes[4], payload: Array(bytes[5..<(bytes.count - 4)]))
    }

    /// The CRC-32 of `bytes` (libdeflate's, with carry-less multiplication where the CPU has it).
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return 0 }
        return libdeflate_crc32(0, base, bytes.count)
    }

    static func checksumMismatch(stored: UInt32, computed: UInt32) -> TransportError {
        TransportError(
            .malformedFrame,
            "frame checksum mismatch (expected 0x\(String(computed, radix: 16)), found 0x\(String(stored, radix: 16)))")
    }
}
