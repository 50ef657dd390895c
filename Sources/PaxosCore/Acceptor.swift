/// The acceptor of single-decree Paxos, as in the textbook and nothing more.
///
/// It promises to ignore proposals below the highest prepare it has seen, and accepts any proposal
/// at or above its promise. Its `state` must be durable before its replies are sent; `Node` takes
/// care of that, this type only decides.
public struct Acceptor<Value: Hashable & Sendable>: Sendable {
    /// The promise and the last accepted proposal: what must survive a crash.
    public internal(set) var state: AcceptorState<Value>

    /// A new acceptor, or one restored from the state it last persisted.
    public init(state: AcceptorState<Value> = AcceptorState()) {
        self.state = state
    }

    public var promisedID: ProposalID? { state.promisedID }
    public var acceptedID: ProposalID? { state.acceptedID }
    public var acceptedValue: Value? { state.acceptedValue }

    /// Promises on a prepare at least as high as the current promise. A repeated prepare gets the same
    /// promise again (the first reply may have been lost). Returns nil for a lower prepare.
    public mutating func receivePrepare(_ prepare: Prepare) -> Promise<Value>? {
        guard prepare.proposalID >= state.promisedID else { return nil }
        state.promisedID = prepare.proposalID
        return Promise(proposalID: prepare.proposalID, acceptedID: state.acceptedID, acceptedValue: state.acceptedValue)
    }

    /// Accepts a proposal at or above the current promise. Returns nil for a lower one.
    public mutating func receiveAccept(_ accept: Accept<Value>) -> Accepted<Value>? {
        guard accept.proposalID >= state.promisedID else { return nil }
        state.promisedID = accept.proposalID
        state.acceptedID = accept.proposalID
        state.acceptedValue = accept.value
        return Accepted(proposalID: accept.proposalID, value: accept.value)
    }
}
