import Crypto

/// The two keys of one connection, one for each direction, that authenticate every frame after
/// the handshake (``FrameAuthentication``). Both sides derive them from the cluster secret and the
/// two nonces of this connection's handshake:
///
/// ```
/// key(direction) = HKDF-SHA256(key material: cluster secret,
///                              salt: connector nonce | listener nonce,
///                              info: "paxoslog v2 connector to listener" or "paxoslog v2 listener to connector",
///                              32 bytes)
/// ```
///
/// Fresh nonces make the keys new on every connection, so a frame recorded on one connection is
/// refused on any other; two directions keep a frame from being reflected back to its sender. The
/// bytes are never printed: `description` and the mirror show nothing of them.
public struct SessionKeys: Equatable, Sendable, CustomStringConvertible, CustomReflectable {
    // Bytes rather than `SymmetricKey`s, which are not Sendable in this swift-crypto.
    private let connectorToListenerBytes: [UInt8]
    private let listenerToConnectorBytes: [UInt8]

    /// Authenticates the connector's frames.
    public var connectorToListener: SymmetricKey { SymmetricKey(data: connectorToListenerBytes) }
    /// Authenticates the listener's frames.
    public var listenerToConnector: SymmetricKey { SymmetricKey(data: listenerToConnectorBytes) }

    static let connectorToListenerLabel = Array("paxoslog v2 connector to listener".utf8)
    static let listenerToConnectorLabel = Array("paxoslog v2 listener to connector".utf8)

    /// Derives the keys of the connection whose handshake used these nonces.
    public init(secret: ClusterSecret, connectorNonce: [UInt8], listenerNonce: [UInt8]) {
        let material = SymmetricKey(data: secret.bytes)
        let salt = connectorNonce + listenerNonce
        func derive(_ label: [UInt8]) -> [UInt8] {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: material, salt: salt, info: label, outputByteCount: 32)
                .withUnsafeBytes { Array($0) }
        }
        connectorToListenerBytes = derive(Self.connectorToListenerLabel)
        listenerToConnectorBytes = derive(Self.listenerToConnectorLabel)
    }

    public var description: String { "session keys (not shown)" }

    public var customMirror: Mirror { Mirror(self, children: []) }
}
