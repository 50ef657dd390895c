import NIOCore
import Synchronization

/// Counts one listener's connections against its ``ConnectionLimits``; shared by every connection
/// the listener accepts (on any event loop).
public final class ConnectionLimiter: Sendable {
    /// Whether a new connection may stay open.
    public enum Admission: Hashable, Sendable {
        case admitted
        /// Close it at once; log `warning` if there is one (at most one a second).
        case refused(warning: String?)
    }

    private struct State {
        var unauthenticated = 0
        var total = 0
        var refusedSinceWarning = 0
        var lastWarning: NIODeadline?
    }

    public let limits: ConnectionLimits
    private let state = Mutex(State())

    public init(limits: ConnectionLimits) {
        self.limits = limits
    }

    /// Connections in the handshake, and in all.
    public var counts: (unauthenticated: Int, total: Int) {
        state.withLock { ($0.unauthenticated, $0.total) }
    }

    /// Counts a new connection in, or refuses it when a bound is reached.
    public func admit(now: NIODeadline = .now()) -> Admission {
        state.withLock { state in
            guard state.unauthenticated >= limits.maximumUnauthenticated || state.total >= limits.maximumConnections
            else {
                state.unauthenticated += 1
                state.total += 1
                return .admitted
            }
            state.refusedSinceWarning += 1
            if let last = state.lastWarning, now - last < .seconds(1) { return .refused(warning: nil) }
            let warning =
                "refusing new connections: \(state.unauthenticated) in the handshake (limit \(limits.maximumUnauthenticated)), "
                + "\(state.total) open (limit \(limits.maximumConnections)); \(state.refusedSinceWarning) refused since the last warning"
            state.lastWarning = now
            state.refusedSinceWarning = 0
            return .refused(warning: warning)
        }
    }

    /// An admitted connection completed its handshake.
    public func authenticated() {
        state.withLock {
            assert($0.unauthenticated > 0, "more connections authenticated than admitted")
            $0.unauthenticated -= 1
        }
    }

    /// An admitted connection closed.
    public func release(wasAuthenticated: Bool) {
        state.withLock {
            assert($0.total > 0, "more connections released than admitted")
            $0.total -= 1
            if !wasAuthenticated { $0.unauthenticated -= 1 }
        }
    }
}
