import NIOCore

/// How long a peer link waits before its next connection attempt: 50 ms after the first failure,
/// doubling with each further one up to a cap of 1 s, and back to 50 ms once a handshake succeeds.
///
/// The cap bounds how long a node that was cut off and healed waits to be dialled again: at most
/// the cap plus one connection attempt (each bounded by its own timeout), instead of the minutes
/// of TCP's retransmission backoff an old connection would sit in.
public struct ReconnectBackoff: Hashable, Sendable {
    public static let initial = TimeAmount.milliseconds(50)
    public static let cap = TimeAmount.seconds(1)

    /// The delay the next failure will be given.
    public private(set) var next = ReconnectBackoff.initial

    public init() {}

    /// An attempt failed (or a connection ended): returns how long to wait before the next one.
    public mutating func failed() -> TimeAmount {
        let delay = next
        next = min(next * 2, Self.cap)
        return delay
    }

    /// A connection was established: the next failure starts from the beginning again.
    public mutating func succeeded() {
        next = Self.initial
    }
}
