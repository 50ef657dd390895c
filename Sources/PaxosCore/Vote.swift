/// A value an acceptor accepted, and the ballot (proposal id) it accepted it under.
public struct Vote<Value: Hashable & Sendable>: Hashable, Sendable {
    public var ballot: ProposalID
    public var value: Value

    public init(ballot: ProposalID, value: Value) {
        self.ballot = ballot
        self.value = value
    }
}
