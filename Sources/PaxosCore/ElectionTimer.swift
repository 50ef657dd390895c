/// A randomized election deadline on the caller's clock: a node that has not heard a leader by
/// then stands for election itself.
///
/// Each timeout is `timeout` plus a jitter below `timeout` (whole microseconds), drawn from an
/// injected generator, so two followers that lost the same leader rarely stand at once, and a
/// seeded simulation replays every draw. Every restart draws once, in the order the caller
/// restarts it.
public struct ElectionTimer: Hashable, Sendable {
    /// The shortest timeout: each one drawn is in [timeout, 2 × timeout).
    public let timeout: Duration
    /// When the election is due, unless the timer is restarted first.
    public private(set) var deadline: ClockInstant
    private var random: SplitMix64

    /// A timer started at `now`: its first draw sets the first deadline.
    public init(timeout: Duration, random: SplitMix64, now: ClockInstant) {
        self.timeout = timeout
        self.random = random
        deadline = now
        restart(now: now)
    }

    /// Sets a new deadline a fresh random timeout after `now` (a leader was heard, or an election
    /// began and gets its own time to finish).
    public mutating func restart(now: ClockInstant) {
        deadline = now + randomTimeout()
    }

    /// True once the deadline has passed.
    public func isDue(now: ClockInstant) -> Bool { now >= deadline }

    /// Draws a timeout in [timeout, 2 × timeout), for the deadline or for anything else that must
    /// be spaced as elections are.
    public mutating func randomTimeout() -> Duration {
        let (seconds, attoseconds) = timeout.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        let jitterMicros = Int64.random(in: 0..<max(1, micros), using: &random)
        return timeout + .microseconds(jitterMicros)
    }
}
