/// The first frame on every connection: who is calling, for which cluster, in which protocol
/// version, with a fresh random nonce for the handshake that follows (see ``ListenerHandshake``).
///
/// Payload (59 bytes, integers little-endian):
/// `magic "PXLG" | version u16 | cluster id u64 | role u8 | sender id u32 | incarnation u64 | nonce [32]`.
public struct Hello: Hashable, Sendable {
    /// Who is connecting.
    public enum Role: UInt8, Sendable {
        /// Another node of the cluster; `senderID` is its node id.
        case peer = 1
        /// A client (the CLI or the library).
        case client = 2
    }

    public static let magic: [UInt8] = Array("PXLG".utf8)
    /// The wire protocol version this build speaks: 2 added the authenticated handshake.
    public static let currentVersion: UInt16 = 2
    /// The size of the connector's and the listener's nonces.
    public static let nonceSize = 32
    /// The size of a version 2 hello's payload.
    public static let payloadSize = 4 + 2 + 8 + 1 + 4 + 8 + nonceSize

    public var version: UInt16
    public var clusterID: UInt64
    public var role: Role
    public var senderID: UInt32
    /// Which run of the sender this is (a node's restart count, or whatever its operator chose); 0
    /// for clients.
    public var incarnation: UInt64
    /// The connector's random challenge to the listener. ``ConnectorHandshake`` replaces it with
    /// fresh bytes for every connection, so callers leave it at its default.
    public var nonce: [UInt8]

    public init(
        version: UInt16 = Hello.currentVersion, clusterID: UInt64, role: Role, senderID: UInt32,
        incarnation: UInt64 = 0, nonce: [UInt8] = [UInt8](repeating: 0, count: Hello.nonceSize)
    ) {
        self.version = version
        self.clusterID = clusterID
        self.role = role
        self.senderID = senderID
        self.incarnation = incarnation
        self.nonce = nonce
    }

    /// Frame kinds the transport itself uses; everything from 16 up belongs to the application.
    public enum FrameKind {
        /// Connector → listener: the ``Hello``.
        public static let hello: UInt8 = 1
        /// Listener → connector: the handshake succeeded; payload: the listener's node id (u32).
        public static let helloAccepted: UInt8 = 2
        /// Either way: the handshake failed; payload: a short generic reason in UTF-8.
        public static let refused: UInt8 = 3
        /// Listener → connector: its nonce, its node id and its proof (``HandshakeChallenge``).
        public static let challenge: UInt8 = 4
        /// Connector → listener: the connector's proof (32 bytes).
        public static let proof: UInt8 = 5
        /// Either way, after the handshake: a liveness probe from the connector, which the
        /// listener's handshake handler answers with one of its own and passes no further (and the
        /// connector's swallows the answer). It also keeps an idle connection from being closed.
        public static let keepalive: UInt8 = 6
    }

    /// The hello as a frame; its payload is also what both proofs authenticate.
    public var frame: Frame {
        var payload = Hello.magic
        payload.reserveCapacity(Hello.payloadSize)
        payload.appendLittleEndian(version)
        payload.appendLittleEndian(clusterID)
        payload.append(role.rawValue)
        payload.appendLittleEndian(senderID)
        payload.appendLittleEndian(incarnation)
        payload += nonce
        return Frame(kind: FrameKind.hello, payload: payload)
    }

    /// Why a frame is not a hello this build accepts.
    public enum DecodingFailure: Error, Hashable, Sendable {
        /// Not a hello frame at all.
        case notAHello(kind: UInt8)
        /// A hello frame without the magic.
        case badMagic
        /// A hello of another protocol version.
        case unsupportedVersion(UInt16)
        /// A version 2 hello of the wrong size or with an unknown role.
        case malformed(String)
    }

    /// Decodes a hello frame, checking the magic and the version before anything else. Never traps,
    /// whatever the bytes.
    public init(frame: Frame) throws(DecodingFailure) {
        guard frame.kind == FrameKind.hello else { throw .notAHello(kind: frame.kind) }
        var reader = ByteReader(frame.payload)
        guard reader.bytes(4) == Hello.magic else { throw .badMagic }
        guard let version = reader.integer(UInt16.self) else { throw .malformed("\(frame.payload.count) bytes") }
        guard version == Hello.currentVersion else { throw .unsupportedVersion(version) }
        guard frame.payload.count == Hello.payloadSize else {
            throw .malformed("\(frame.payload.count) bytes, expected \(Hello.payloadSize)")
        }
        guard let clusterID = reader.integer(UInt64.self), let roleByte = reader.integer(UInt8.self),
            let senderID = reader.integer(UInt32.self), let incarnation = reader.integer(UInt64.self),
            let nonce = reader.bytes(Hello.nonceSize)
        else { throw .malformed("truncated") }
        guard let role = Role(rawValue: roleByte) else { throw .malformed("unknown role \(roleByte)") }
        self.init(
            version: version, clusterID: clusterID, role: role, senderID: senderID, incarnation: incarnation,
            nonce: nonce)
    }
}

/// Reads little-endian integers and byte runs from a byte array, returning nil past the end
/// instead of trapping.
struct ByteReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
        guard let raw = bytes(MemoryLayout<T>.size) else { return nil }
        return raw.reversed().reduce(T.zero) { $0 << 8 | T(truncatingIfNeeded: $1) }
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { self += $0 }
    }
}
