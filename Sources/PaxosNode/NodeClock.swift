import NIOCore
import PaxosCore

/// The node's clock for the replica: monotonic time since the process started.
struct NodeClock: Sendable {
    private let origin = NIODeadline.now()

    func now() -> ClockInstant {
        ClockInstant(sinceOrigin: .nanoseconds(Int64(NIODeadline.now().uptimeNanoseconds - origin.uptimeNanoseconds)))
    }
}
