/// Messages between replicas. The sender is known to the transport and passed alongside.
public enum ReplicaMessage: Hashable, Sendable {
    /// "Would you support me if I ran?" Changes no state (pre-vote), so a node that was cut off and
    /// keeps timing out cannot raise the ballot and depose a leader that the others still hear.
    case preVote(commitIndex: Slot)
    /// The answer to a pre-vote, with the responder's promise so the candidate can outbid it, and
    /// its commit index so a candidate behind it catches up from it first.
    case preVoteReply(granted: Bool, promised: Ballot?, commitIndex: Slot)
    /// Phase 1a for every slot from `fromSlot` on.
    case prepare(ballot: Ballot, fromSlot: Slot)
    /// Phase 1b: the promise, with what the acceptor accepted (or knows chosen) from `fromSlot` on.
    case promise(ballot: Ballot, reports: [SlotReport])
    /// A refusal: the responder promised a higher ballot.
    case nack(ballot: Ballot, promised: Ballot)
    /// Phase 2a for consecutive slots `firstSlot`…; carries the leader's commit index.
    case accept(ballot: Ballot, firstSlot: Slot, values: [SlotValue], commitIndex: Slot)
    /// Phase 2b for `count` slots from `firstSlot`, sent only after they are durable.
    case accepted(ballot: Ballot, firstSlot: Slot, count: Int)
    /// The leader is alive; everything through `commitIndex` is chosen. `round` numbers the
    /// leader's heartbeats so a reply proves the follower still followed it after a given moment.
    case heartbeat(ballot: Ballot, commitIndex: Slot, round: UInt64)
    /// A follower hears the leader; tells it how far it has applied, which run of the process it
    /// is (`boot`, random at every start) and the highest slot it held a value for when that run
    /// started: a node never starts holding less than it acknowledged before, unless it lost state.
    /// `awaitingCheck`: no leader has yet compared this run's start with what it was acknowledged,
    /// and the run votes for nobody until one answers (`startChecked` or `stateLost`).
    case heartbeatReply(
        ballot: Ballot, commitIndex: Slot, round: UInt64, boot: UInt64, heldAtStart: Slot, awaitingCheck: Bool)
    /// A lagging node asks for chosen values from `fromSlot` on.
    case catchUpRequest(fromSlot: Slot)
    /// Chosen values for consecutive slots from `firstSlot`, in bounded chunks.
    case catchUpReply(firstSlot: Slot, values: [SlotValue], commitIndex: Slot)
    /// The answer to a catch-up request for slots the responder no longer holds (trimmed): the
    /// log's state before the first slot it holds. The lagging replica starts its log there and
    /// asks again from `base.slot + 1`.
    case catchUpBase(LogBase, commitIndex: Slot)
    /// The leader of `ballot` hands leadership to the receiver: run phase 1 now, without waiting
    /// for an election timeout or asking for pre-votes.
    case timeoutNow(ballot: Ballot)
    /// The leader of `ballot` to a follower: you acknowledged slots through `acknowledgedThrough`
    /// and now hold less: you lost state (restored from an older copy?) and must not vote.
    case stateLost(ballot: Ballot, acknowledgedThrough: Slot)
    /// The leader of `ballot` to a follower whose run awaits its check: it holds everything it
    /// acknowledged to this leader, and may vote again.
    case startChecked(ballot: Ballot)
}
