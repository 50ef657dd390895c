import NIOCore

/// Decides, from when a connection was last heard from, whether to probe it or give it up: the
/// liveness check of every connection a node or a client opens.
///
/// TCP alone does not notice a peer that went silent (a frozen process, a cut cable, an iptables
/// drop): writes sit in the send buffer and retransmit with exponential backoff for minutes, and a
/// connection that only sends never reads anything that could fail. So the connector probes (a
/// keepalive frame, which the listener answers with one of its own) whenever it has heard nothing
/// for ``Configuration/probeAfter``, and gives the connection up once it has heard nothing for
/// ``Configuration/deadline``; the caller then reconnects or moves to another node.
///
/// A value with no clock and no I/O: the caller passes the time in and performs the action
/// (``LivenessHandler`` does, on the connection's event loop), so the timing is tested on
/// made-up instants.
public struct ConnectionLiveness: Sendable {
    /// When to probe and when to give up.
    public struct Configuration: Hashable, Sendable {
        /// Quiet time after which a probe goes out, and between probes while it stays quiet.
        public var probeAfter: TimeAmount
        /// Quiet time after which the connection is given up.
        public var deadline: TimeAmount

        /// - Precondition: `0 < probeAfter < deadline`, so at least one probe goes out before
        ///   the connection is given up.
        public init(probeAfter: TimeAmount, deadline: TimeAmount) {
            precondition(
                probeAfter > .zero && probeAfter < deadline, "a liveness probe must go out before the deadline")
            self.probeAfter = probeAfter
            self.deadline = deadline
        }

        /// A client's connection to a node: given up after 1.5 s without a byte, about one
        /// election timeout of the default node (1 s, randomized up to 2 s), so a client whose
        /// leader went silent looks for the new one while the others elect it. A healthy node
        /// answers a probe from its event loop within milliseconds, however busy its disk.
        public static let client = Configuration(probeAfter: .milliseconds(300), deadline: .milliseconds(1500))

        /// A node's link to a peer with election timeout `electionTimeout`: probed after a
        /// quarter of it, given up after one and a half (the randomized timeout runs from one to
        /// two): a link to a silent peer is closed and redialled within about one election, so it
        /// is not left in TCP's retransmission backoff when the peer comes back.
        public static func peer(electionTimeout: TimeAmount) -> Configuration {
            let timeout = max(electionTimeout.nanoseconds, 4)
            return Configuration(
                probeAfter: .nanoseconds(timeout / 4), deadline: .nanoseconds(timeout + timeout / 2))
        }

        /// How often the caller should call ``ConnectionLiveness/check(at:)``: often enough that
        /// probes and the deadline are late by at most half a probe interval.
        public var checkInterval: TimeAmount { .nanoseconds(max(probeAfter.nanoseconds / 2, 1)) }
    }

    /// What the caller must do now.
    public enum Action: Hashable, Sendable {
        /// Nothing.
        case wait
        /// Send a keepalive frame.
        case probe
        /// Close the connection: nothing was heard for `silentFor` (at least the deadline).
        case giveUp(silentFor: TimeAmount)
    }

    public let configuration: Configuration
    /// When something last arrived (or the check started, or this side was found to have stalled).
    public private(set) var lastHeard: NIODeadline
    private var lastProbe: NIODeadline?
    private var lastCheck: NIODeadline

    /// Starts watching at `now`, as if something had just been heard.
    public init(configuration: Configuration, now: NIODeadline) {
        self.configuration = configuration
        lastHeard = now
        lastCheck = now
    }

    /// Bytes arrived at `now`.
    public mutating func heard(at now: NIODeadline) {
        if now > lastHeard { lastHeard = now }
        lastProbe = nil
    }

    /// What to do at `now`: give up past the deadline; otherwise probe when it has been quiet
    /// for `probeAfter` and no probe went out in the last `probeAfter`.
    ///
    /// A check that comes more than `probeAfter` after the previous one means this side stalled
    /// (its event loop was busy or the process got no CPU), not that the peer went quiet: what
    /// the peer sent meanwhile may be unread yet. Then the silence is counted from now, and a probe
    /// goes out, so a stall here never closes a healthy connection.
    public mutating func check(at now: NIODeadline) -> Action {
        defer { lastCheck = now }
        if now - lastCheck > configuration.probeAfter {
            lastHeard = max(lastHeard, now)
            lastProbe = now
            return .probe
        }
        let silent = now - lastHeard
        if silent >= configuration.deadline { return .giveUp(silentFor: silent) }
        guard silent >= configuration.probeAfter else { return .wait }
        if let lastProbe, now - lastProbe < configuration.probeAfter { return .wait }
        lastProbe = now
        return .probe
    }
}
