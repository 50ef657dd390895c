/// Fresh random bytes for the handshake, from the system's cryptographically secure generator
/// (`SystemRandomNumberGenerator`: getrandom on Linux).
public enum HandshakeNonce {
    /// A new 32-byte nonce.
    public static func random() -> [UInt8] { randomBytes(Hello.nonceSize) }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes += $0.prefix(count - bytes.count) }
        }
        return bytes
    }
}
