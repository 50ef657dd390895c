/// The listener's answer to a hello: its nonce (the challenge to the connector), its node id, and
/// its proof that it holds the cluster secret.
///
/// Payload (68 bytes): `listener nonce [32] | listener id u32 | listener proof [32]`.
public struct HandshakeChallenge: Hashable, Sendable {
    public var nonce: [UInt8]
    public var listenerID: UInt32
    public var proof: [UInt8]

    public static let payloadSize = Hello.nonceSize + 4 + HandshakeProof.size

    public init(nonce: [UInt8], listenerID: UInt32, proof: [UInt8]) {
        self.nonce = nonce
        self.listenerID = listenerID
        self.proof = proof
    }

    public var frame: Frame {
        var payload = nonce
        payload.appendLittleEndian(listenerID)
        payload += proof
        return Frame(kind: Hello.FrameKind.challenge, payload: payload)
    }

    /// Decodes a challenge frame's payload; nil unless it has exactly the right size.
    public init?(payload: [UInt8]) {
        guard payload.count == Self.payloadSize else { return nil }
        var reader = ByteReader(payload)
        guard let nonce = reader.bytes(Hello.nonceSize), let listenerID = reader.integer(UInt32.self),
            let proof = reader.bytes(HandshakeProof.size)
        else { return nil }
        self.init(nonce: nonce, listenerID: listenerID, proof: proof)
    }
}
