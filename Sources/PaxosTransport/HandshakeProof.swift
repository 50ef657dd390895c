import Crypto

/// The two proofs of the handshake, HMAC-SHA256 keyed with the cluster secret:
///
/// ```
/// listener proof  = HMAC(secret, "paxoslog listener v2"  | hello payload | listener nonce | listener id u32)
/// connector proof = HMAC(secret, "paxoslog connector v2" | hello payload | listener nonce | listener proof)
/// ```
///
/// The labels keep one side's proof from being replayed as the other's; the listener's fresh
/// nonce keeps a recorded connector proof from being replayed on a new connection, and the
/// connector's nonce (in the hello) does the same for a recorded listener proof.
public enum HandshakeProof {
    /// The size of a proof (an HMAC-SHA256 code).
    public static let size = 32

    static let listenerLabel = Array("paxoslog listener v2".utf8)
    static let connectorLabel = Array("paxoslog connector v2".utf8)

    /// The listener's proof for a hello (its exact payload bytes).
    public static func listener(
        secret: ClusterSecret, hello: [UInt8], listenerNonce: [UInt8], listenerID: UInt32
    ) -> [UInt8] {
        var id: [UInt8] = []
        id.appendLittleEndian(listenerID)
        return code(secret, [listenerLabel, hello, listenerNonce, id])
    }

    /// The connector's proof, answering the listener's nonce and proof.
    public static func connector(
        secret: ClusterSecret, hello: [UInt8], listenerNonce: [UInt8], listenerProof: [UInt8]
    ) -> [UInt8] {
        code(secret, [connectorLabel, hello, listenerNonce, listenerProof])
    }

    private static func code(_ secret: ClusterSecret, _ parts: [[UInt8]]) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: secret.bytes))
        for part in parts { hmac.update(data: part) }
        return Array(hmac.finalize())
    }

    /// Compares two byte strings in time that depends only on their lengths, so a forger learns
    /// nothing from how long a wrong proof took to reject.
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
