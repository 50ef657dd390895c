/// A point in time on the caller's clock, as a duration since an arbitrary origin.
///
/// The core never reads a clock: the caller passes the current instant with every event, so a test
/// drives time by hand and a simulation replays exactly.
public struct ClockInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Time since the clock's origin.
    public var sinceOrigin: Duration

    public init(sinceOrigin: Duration) { self.sinceOrigin = sinceOrigin }

    /// The origin of the clock.
    public static let zero = ClockInstant(sinceOrigin: .zero)

    /// An instant `seconds` after the origin.
    public static func seconds(_ seconds: Double) -> ClockInstant {
        ClockInstant(sinceOrigin: .milliseconds(Int64((seconds * 1000).rounded())))
    }

    public static func < (lhs: ClockInstant, rhs: ClockInstant) -> Bool { lhs.sinceOrigin < rhs.sinceOrigin }

    public static func + (lhs: ClockInstant, rhs: Duration) -> ClockInstant {
        ClockInstant(sinceOrigin: lhs.sinceOrigin + rhs)
    }

    public static func - (lhs: ClockInstant, rhs: ClockInstant) -> Duration { lhs.sinceOrigin - rhs.sinceOrigin }

    public var description: String { "t=\(sinceOrigin)" }
}
