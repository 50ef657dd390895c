import NIOCore
import PaxosCore

/// The node's clock for the replica: monotonic time since the node core was made.
struct NodeClock: Sendable {
    private let read: @Sendable () -> NIODeadline
    private let origin: NIODeadline

    /// The process's monotonic clock.
    init() {
        self.init(reading: { NIODeadline.now() })
    }

    /// A clock that reads `read`: the whole-node simulation reads its event loop's virtual time,
    /// so that no test depends on the wall clock.
    init(reading read: @escaping @Sendable () -> NIODeadline) {
        self.read = read
        origin = read()
    }

    func now() -> ClockInstant {
        ClockInstant(sinceOrigin: .nanoseconds(Int64(read().uptimeNanoseconds - origin.uptimeNanoseconds)))
    }
}
