import NIOCore

/// The bounds a listener puts on connections.
///
/// At a bound: a connection that has not completed the handshake by `handshakeTimeout` is closed;
/// beyond `maximumUnauthenticated` connections in the handshake or `maximumConnections` in all, a
/// new connection is closed at once (and a warning is logged, at most once per second); an
/// authenticated connection from which nothing was read for `idleTimeout` is closed. Connectors
/// probe a quiet connection far more often than that (``ConnectionLiveness``), so a healthy one is
/// never idle that long. At most `maximumQueuedBytes` of answers wait for a connection's socket
/// (the channel stops being writable there); the application decides what a connection that
/// does not read its answers gets (the node closes a client's).
public struct ConnectionLimits: Hashable, Sendable {
    public var handshakeTimeout: TimeAmount
    public var maximumUnauthenticated: Int
    public var maximumConnections: Int
    public var idleTimeout: TimeAmount
    public var maximumQueuedBytes: Int

    public init(
        handshakeTimeout: TimeAmount = .seconds(5), maximumUnauthenticated: Int = 64, maximumConnections: Int = 1024,
        idleTimeout: TimeAmount = .seconds(120), maximumQueuedBytes: Int = 16 << 20
    ) {
        precondition(maximumUnauthenticated >= 1 && maximumConnections >= 1, "connection limits must be positive")
        self.handshakeTimeout = handshakeTimeout
        self.maximumUnauthenticated = maximumUnauthenticated
        self.maximumConnections = maximumConnections
        self.idleTimeout = idleTimeout
        self.maximumQueuedBytes = maximumQueuedBytes
    }
}
