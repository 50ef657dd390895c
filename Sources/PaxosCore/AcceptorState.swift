/// Everything an acceptor must have on disk before it answers: its promise and the last proposal it
/// accepted. Restoring it after a crash (`Acceptor(state:)`, `Node.recover`) is what keeps a
/// promise a promise across restarts.
public struct AcceptorState<Value: Hashable & Sendable>: Hashable, Sendable {
    /// The highest proposal id this acceptor promised not to go below.
    public var promisedID: ProposalID?
    /// The id of the last proposal it accepted.
    public var acceptedID: ProposalID?
    /// The value of that proposal.
    public var acceptedValue: Value?

    public init(promisedID: ProposalID? = nil, acceptedID: ProposalID? = nil, acceptedValue: Value? = nil) {
        self.promisedID = promisedID
        self.acceptedID = acceptedID
        self.acceptedValue = acceptedValue
    }
}

/// A value chosen by a quorum of acceptors.
public struct Resolution<Value: Hashable & Sendable>: Hashable, Sendable {
    /// The proposal under which a quorum accepted the value.
    public var proposalID: ProposalID
    /// The chosen value. Once chosen it never changes.
    public var value: Value

    public init(proposalID: ProposalID, value: Value) {
        self.proposalID = proposalID
        self.value = value
    }
}
