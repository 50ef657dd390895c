/// The acceptor of Multi-Paxos: single-decree Paxos's two rules, applied to every slot at once.
///
/// Phase 1 is run once for all slots (a promise covers every slot), so the acceptor keeps one
/// promise, and per undecided slot the vote it cast under the highest ballot:
/// - **Promise rule:** grant a prepare whose ballot is at least the promise, and raise the promise
///   to it; refuse (naming the promise) anything lower. A repeated prepare is granted again.
/// - **Accept rule:** accept values under a ballot at least the promise, raising the promise to
///   it; refuse anything lower.
/// Both are exactly the single-decree rules (``Acceptor`` is this type with one slot). The caller
/// makes the changes durable before it sends the answers (persist before send); this type only
/// decides. Slots the caller knows decided are forgotten here (the log keeps them).
public struct MultiSlotAcceptor<Value: Hashable & Sendable>: Sendable {
    /// The highest ballot promised: no vote below it, in any slot.
    public private(set) var promised: ProposalID?
    /// Per undecided slot, the vote cast under the highest ballot.
    public private(set) var votes: [UInt64: Vote<Value>] = [:]

    public init() {}

    /// What a prepare came to.
    public enum PrepareVerdict: Hashable, Sendable {
        /// Promised; `raised` when the promise went up (it must be made durable before the answer).
        case promised(raised: Bool)
        /// Refused: `promised` is higher.
        case refused(promised: ProposalID)
    }

    /// What an accept came to.
    public enum AcceptVerdict: Hashable, Sendable {
        /// Accepted; `changed` when a vote changed (it must be made durable before the answer).
        case accepted(changed: Bool)
        /// Refused: `promised` is higher.
        case refused(promised: ProposalID)
    }

    /// The promise that forbids a vote under `ballot` (the one rule both phases share), or nil
    /// when `ballot` is at least the promise.
    public func refusal(of ballot: ProposalID) -> ProposalID? {
        guard let promised, ballot < promised else { return nil }
        return promised
    }

    /// Phase 1b: the promise rule.
    public mutating func receivePrepare(_ ballot: ProposalID) -> PrepareVerdict {
        if let promised = refusal(of: ballot) { return .refused(promised: promised) }
        let raised = ballot > promised
        if raised { promised = ballot }
        return .promised(raised: raised)
    }

    /// Phase 2b: the accept rule, for `values` in consecutive slots from `firstSlot`. Slots at or
    /// below `decidedThrough` are already decided: a vote there would change nothing.
    public mutating func receiveAccept(
        _ ballot: ProposalID, firstSlot: UInt64, values: [Value], decidedThrough: UInt64
    ) -> AcceptVerdict {
        if let promised = refusal(of: ballot) { return .refused(promised: promised) }
        if ballot > promised { promised = ballot }
        var changed = false
        for (offset, value) in values.enumerated() {
            let slot = firstSlot + UInt64(offset)
            let vote = Vote(ballot: ballot, value: value)
            if slot > decidedThrough && votes[slot] != vote {
                votes[slot] = vote
                changed = true
            }
        }
        return .accepted(changed: changed)
    }

    /// The vote in `slot`, if any.
    public func vote(at slot: UInt64) -> Vote<Value>? { votes[slot] }

    /// The votes from `slot` on, in slot order: what a promise reports.
    public func votes(from slot: UInt64) -> [(slot: UInt64, vote: Vote<Value>)] {
        votes.keys.sorted().filter { $0 >= slot }.compactMap { key in votes[key].map { (key, $0) } }
    }

    /// `slot` is decided: its vote is no longer needed.
    public mutating func forget(slot: UInt64) {
        votes[slot] = nil
    }

    /// Every slot through `slot` is decided.
    public mutating func forget(through slot: UInt64) {
        votes = votes.filter { $0.key > slot }
    }

    // MARK: - Restoring durable state (recovery, snapshots)

    /// A promise read back from disk; the promise only ever goes up.
    public mutating func restore(promise ballot: ProposalID?) {
        if ballot > promised { promised = ballot }
    }

    /// A vote read back from disk.
    public mutating func restore(_ vote: Vote<Value>, at slot: UInt64) {
        votes[slot] = vote
    }

    /// The whole state a snapshot recorded.
    public mutating func restore(promise ballot: ProposalID?, votes recorded: [UInt64: Vote<Value>]) {
        promised = ballot
        votes = recorded
    }
}
