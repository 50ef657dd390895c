/// The acceptor of single-decree Paxos, as in the textbook and nothing more.
///
/// It promises to ignore proposals below the highest prepare it has seen, and accepts any proposal
/// at or above its promise. It is ``MultiSlotAcceptor`` with one slot: the rules are written once,
/// there. Its `state` must be durable before its replies are sent; `Node` takes care of that, this
/// type only decides.
public struct Acceptor<Value: Hashable & Sendable>: Sendable {
    /// The single decree lives in this slot of the multi-slot acceptor.
    private static var slot: UInt64 { 1 }
    private var core = MultiSlotAcceptor<Value>()

    /// A new acceptor, or one restored from the state it last persisted.
    public init(state: AcceptorState<Value> = AcceptorState()) {
        if let id = state.acceptedID, let value = state.acceptedValue {
            core.restore(Vote(ballot: id, value: value), at: Self.slot)
        }
        core.restore(promise: state.promisedID)
    }

    /// The promise and the last accepted proposal: what must survive a crash.
    public var state: AcceptorState<Value> {
        AcceptorState(promisedID: promisedID, acceptedID: acceptedID, acceptedValue: acceptedValue)
    }

    public var promisedID: ProposalID? { core.promised }
    public var acceptedID: ProposalID? { core.vote(at: Self.slot)?.ballot }
    public var acceptedValue: Value? { core.vote(at: Self.slot)?.value }

    /// Promises on a prepare at least as high as the current promise. A repeated prepare gets the same
    /// promise again (the first reply may have been lost). Returns nil for a lower prepare.
    public mutating func receivePrepare(_ prepare: Prepare) -> Promise<Value>? {
        guard case .promised = core.receivePrepare(prepare.proposalID) else { return nil }
        return Promise(proposalID: prepare.proposalID, acceptedID: acceptedID, acceptedValue: acceptedValue)
    }

    /// Accepts a proposal at or above the current promise. Returns nil for a lower one.
    public mutating func receiveAccept(_ accept: Accept<Value>) -> Accepted<Value>? {
        let verdict = core.receiveAccept(
            accept.proposalID, firstSlot: Self.slot, values: [accept.value], decidedThrough: Self.slot - 1)
        guard case .accepted = verdict else { return nil }
        return Accepted(proposalID: accept.proposalID, value: accept.value)
    }
}
