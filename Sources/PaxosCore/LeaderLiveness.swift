/// Whether the leader is alive: heard from within a window, on the caller's clock. The failure
/// detector of heartbeat-based leadership: a node that stops hearing its leader for the window
/// counts it dead and may try to replace it.
///
/// What counts as contact (a heartbeat, an accept, a candidate's winning prepare) is the caller's
/// to say; this type keeps when the last one was and judges the silence since.
public struct LeaderLiveness: Hashable, Sendable {
    /// How long one contact keeps the leader alive.
    public let window: Duration
    /// Whether a contact exactly `window` old still counts. The seed's heartbeat node says yes
    /// (functional.py: `now - last <= window`); the replica says no (a follower that has heard
    /// nothing for a whole election timeout no longer vouches for its leader).
    public let includesWindowEnd: Bool
    /// When the leader was last heard from, if ever.
    public private(set) var lastContact: ClockInstant?

    /// Liveness judged over `window`; `lastContact` counts as heard (a node may start trusting a
    /// configured leader as if it had just heard it).
    public init(window: Duration, includesWindowEnd: Bool, lastContact: ClockInstant? = nil) {
        self.window = window
        self.includesWindowEnd = includesWindowEnd
        self.lastContact = lastContact
    }

    /// The leader was heard from at `now`.
    public mutating func heard(at now: ClockInstant) {
        lastContact = now
    }

    /// True while the last contact is within the window.
    public func isAlive(now: ClockInstant) -> Bool {
        guard let lastContact else { return false }
        let silence = now - lastContact
        return includesWindowEnd ? silence <= window : silence < window
    }
}
