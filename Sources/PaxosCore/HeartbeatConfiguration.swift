/// Timing of heartbeat-based leader failure detection.
public struct HeartbeatConfiguration: Hashable, Sendable {
    /// How often a leader sends a heartbeat (P).
    public var period: Duration
    /// How long after its last heartbeat the leader is still considered alive (W). Also how often
    /// liveness is polled.
    public var livenessWindow: Duration

    /// P = 1 s and W = 5 s: a leader may miss four heartbeats before anyone tries to replace it.
    public init(period: Duration = .seconds(1), livenessWindow: Duration = .seconds(5)) {
        self.period = period
        self.livenessWindow = livenessWindow
    }

    /// A node that saw another node's prepare within this span does not start its own (1.5 × W),
    /// so two candidates do not keep outbidding each other.
    public var recentPrepareWindow: Duration { livenessWindow * 1.5 }
}
