/// The learner of Multi-Paxos: single-decree Paxos's learning rule, applied to every slot, and the
/// chosen values handed on in slot order.
///
/// - **Chosen rule** (``SlotTally``): a value is chosen in a slot once a quorum of acceptors
///   accepted it under one ballot; each acceptor counts once, for its latest vote, so a repeated
///   acknowledgement counts once and votes under different ballots never add up.
/// - **Order rule:** chosen values leave in slot order, from the first slot not yet decided, and
///   stop at the first slot not yet chosen: a later slot chosen first waits for the gap to close.
///
/// Who votes and how many make a quorum is the caller's to say (a membership whose learners count
/// for nothing, or a fixed count): it passes its quorum test with each vote. ``Learner`` is this
/// type with one slot. A Multi-Paxos leader is the learner of the slots it proposed: the acceptors'
/// acknowledgements name its ballot and slots, and it knows the values.
public struct MultiSlotLearner<Value: Hashable & Sendable>: Sendable {
    /// Per slot not yet handed on, the votes counted.
    var slots: [UInt64: SlotTally<Value>] = [:]

    public init() {}

    /// True when no slot has votes waiting (nothing counted, or everything handed on).
    public var isEmpty: Bool { slots.isEmpty }

    /// Records that `acceptor` accepted `vote` in `slot`. Returns the resolution when this vote
    /// makes the slot's value chosen (nil for every vote after that).
    @discardableResult
    public mutating func receiveAccepted(
        _ vote: Vote<Value>, at slot: UInt64, from acceptor: NodeID, isQuorum: (Set<NodeID>) -> Bool
    ) -> Resolution<Value>? {
        slots[slot, default: SlotTally()].add(vote, from: acceptor, isQuorum: isQuorum)
    }

    /// The chosen value of `slot` and its ballot, once a quorum accepted it (until it is handed on).
    public func resolution(at slot: UInt64) -> Resolution<Value>? { slots[slot]?.resolution }

    /// The acceptors known to have accepted under `ballot` in `slot`: once the slot is chosen under
    /// that ballot, every acceptor that reported the chosen value.
    public func voters(at slot: UInt64, ballot: ProposalID) -> Set<NodeID> {
        slots[slot]?.voters(under: ballot) ?? []
    }

    /// Each acceptor's latest vote in `slot`, as counted until the slot was chosen.
    public func latestVotes(at slot: UInt64) -> [NodeID: ProposalID] { slots[slot]?.latestVotes ?? [:] }

    /// Hands on the chosen values after `decidedThrough`, in slot order, up to the first slot not
    /// chosen, and forgets their votes. Empty when the next slot is not chosen yet.
    public mutating func takeChosen(after decidedThrough: UInt64) -> [(slot: UInt64, value: Value)] {
        var taken: [(slot: UInt64, value: Value)] = []
        var slot = decidedThrough + 1
        while let resolution = slots[slot]?.resolution {
            taken.append((slot, resolution.value))
            slots[slot] = nil
            slot += 1
        }
        return taken
    }
}
