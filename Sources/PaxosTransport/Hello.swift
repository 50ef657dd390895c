/// The first frame on every connection: who is calling, for which cluster, in which protocol
/// version. A listener refuses a connection whose hello does not match before reading anything else.
public struct Hello: Hashable, Sendable {
    /// Who is connecting.
    public enum Role: UInt8, Sendable {
        /// Another node of the cluster; `senderID` is its node id.
        case peer = 1
        /// A client (the CLI or the library).
        case client = 2
    }

    public static let magic: [UInt8] = Array("PXLG".utf8)
    /// The wire protocol version this build speaks.
    public static let currentVersion: UInt16 = 1

    public var version: UInt16
    public var clusterID: UInt64
    public var role: Role
    public var senderID: UInt32

    public init(version: UInt16 = Hello.currentVersion, clusterID: UInt64, role: Role, senderID: UInt32) {
        self.version = version
        self.clusterID = clusterID
        self.role = role
        self.senderID = senderID
    }

    /// Frame kinds the transport itself uses; everything from 16 up belongs to the application.
    public enum FrameKind {
        public static let hello: UInt8 = 1
        public static let helloAccepted: UInt8 = 2
        public static let refused: UInt8 = 3
    }

    public var frame: Frame {
        var payload = Hello.magic
        withUnsafeBytes(of: version.littleEndian) { payload += $0 }
        withUnsafeBytes(of: clusterID.littleEndian) { payload += $0 }
        payload.append(role.rawValue)
        withUnsafeBytes(of: senderID.littleEndian) { payload += $0 }
        return Frame(kind: FrameKind.hello, payload: payload)
    }

    /// Decodes a hello frame; says exactly what is wrong otherwise.
    public init(frame: Frame) throws(TransportError) {
        let bytes = frame.payload
        guard frame.kind == FrameKind.hello else {
            throw TransportError(.handshakeRefused, "expected a hello frame first, got kind \(frame.kind)")
        }
        guard bytes.count == 19, Array(bytes[0..<4]) == Hello.magic else {
            throw TransportError(.handshakeRefused, "not a paxoslog hello (bad magic or size \(bytes.count))")
        }
        func integer<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
            var value = T.zero
            for index in 0..<MemoryLayout<T>.size {
                value |= T(truncatingIfNeeded: bytes[offset + index]) << (8 * index)
            }
            return value
        }
        version = integer(4, UInt16.self)
        clusterID = integer(6, UInt64.self)
        guard let role = Role(rawValue: bytes[14]) else {
            throw TransportError(.handshakeRefused, "unknown role \(bytes[14])")
        }
        self.role = role
        senderID = integer(15, UInt32.self)
    }
}
