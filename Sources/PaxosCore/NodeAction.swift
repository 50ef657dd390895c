/// What a node asks its caller to do. The caller performs them in order: a `persist` comes before
/// the sends that depend on it, and those sends are only released by `persisted()` anyway.
public enum NodeAction<Value: Hashable & Sendable>: Hashable, Sendable {
    /// Deliver `message` to `recipient`.
    case send(Message<Value>, to: Recipient)
    /// Write this acceptor state durably, then call `persisted()` on the node.
    case persist(AcceptorState<Value>)
    /// The learner saw a quorum accept this value: it is chosen.
    case resolved(Resolution<Value>)
    /// This node's proposer holds a quorum of promises for its current proposal id.
    case leadershipAcquired
    /// This node was leader and no longer is.
    case leadershipLost
    /// The node believes the leader changed from `previous` to `current` (nil: unknown).
    case leadershipChanged(previous: NodeID?, current: NodeID?)
}
