/// The largest frame one connection's decoder accepts, which its handshake handler raises once the
/// other side is authenticated: until then a frame is a hello, a challenge, a proof or a refusal,
/// all under ``handshake`` bytes, so an unauthenticated caller cannot make the node buffer 64 MiB.
///
/// Belongs to one channel and is used only on its event loop.
public final class FrameSizeLimit {
    /// The limit before authentication.
    public static let handshake = 1024

    /// The limit now.
    public private(set) var current: Int
    private let authenticated: Int

    /// - Parameter authenticated: the limit after the handshake (the connection's maximum frame size).
    public init(authenticated: Int) {
        self.authenticated = authenticated
        current = min(Self.handshake, authenticated)
    }

    /// Raises the limit to the authenticated one.
    public func raise() { current = authenticated }
}
