/// The nodes a client recently failed to reach or gave up on as silent, so that it does not go
/// straight back to them.
///
/// When a leader goes silent, the client notices within its liveness deadline, but the other nodes
/// still name the silent node as leader until they elect a new one (about one election timeout of
/// the node's, 1–2 s by default). Following that redirect costs a connection attempt that cannot
/// succeed (a frozen node's kernel accepts the connection, and the handshake times out). So for
/// ``memory`` after a failure a redirect to the node counts as "leader unknown": the client asks
/// the next node that is not suspect, which soon names the new leader. A node that answers again is
/// trusted at once.
struct SilentNodes {
    /// How long a failed node is passed over: longer than an election takes, short enough that a
    /// leader wrongly given up on (a stall, not a failure) is tried again soon.
    static let memory = Duration.seconds(3)

    private var failedAt: [UInt32: ContinuousClock.Instant] = [:]

    /// `node` could not be reached, or went silent, at `now`.
    mutating func failed(_ node: UInt32, at now: ContinuousClock.Instant) {
        failedAt[node] = now
    }

    /// `node` completed a handshake: it is reachable again.
    mutating func answered(_ node: UInt32) {
        failedAt[node] = nil
    }

    /// Whether `node` failed less than ``memory`` before `now`.
    func isSuspect(_ node: UInt32, at now: ContinuousClock.Instant) -> Bool {
        guard let failed = failedAt[node] else { return false }
        return now - failed < Self.memory
    }

    /// The first node after `node` in id order (wrapping around) that is not suspect; the plain
    /// next one when all are.
    func next(after node: UInt32, among ids: [UInt32], at now: ContinuousClock.Instant) -> UInt32 {
        let sorted = ids.sorted()
        let rotated = sorted.filter { $0 > node } + sorted.filter { $0 <= node }
        return rotated.first { !isSuspect($0, at: now) } ?? rotated.first ?? node
    }
}
