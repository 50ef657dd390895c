import PaxosCore

/// A position in the replicated log of Paxos instances. Slot 1 is the first; 0 means "none".
public typealias Slot = UInt64

/// A leader's term: the proposal id under which it ran phase 1. Ordered by number, then node.
public typealias Ballot = ProposalID

/// Identifies one client entry across retries: the client's session and its number in that session.
public struct ClientKey: Hashable, Sendable, CustomStringConvertible {
    /// Chosen at random by the client for each session; unique in practice.
    public var session: UInt64
    /// Numbers the client's entries 1, 2, 3… within the session.
    public var sequence: UInt64

    public init(session: UInt64, sequence: UInt64) {
        self.session = session
        self.sequence = sequence
    }

    public var description: String { "\(String(session, radix: 16))#\(sequence)" }
}

/// One entry a client appends: its bytes and the key that makes retries idempotent.
public struct ClientEntry: Hashable, Sendable {
    public var key: ClientKey
    public var data: [UInt8]

    public init(key: ClientKey, data: [UInt8]) {
        self.key = key
        self.data = data
    }
}

/// What one slot holds: a batch of client entries, nothing (a hole filled by a new leader), or a
/// command to the log itself.
public enum SlotValue: Hashable, Sendable {
    case noop
    case entries([ClientEntry])
    /// Moves the log's first index forward to `before` (clamped to one past the last index at the
    /// moment the slot applies, so every replica computes the same first index). Entries below it
    /// are no longer served and their storage is reclaimed. Agreed through the log like any value,
    /// so no node trims on its own.
    case trim(before: UInt64)
    /// The members from the next slot on (see `Membership`).
    case membership(Membership)

    /// The bytes this value occupies in messages and on disk, roughly; used for flow control.
    public var byteCount: Int {
        switch self {
        case .noop: return 1
        case .trim: return 9
        case .membership(let membership): return 5 + membership.members.reduce(0) { $0 + 9 + $1.address.utf8.count }
        case .entries(let entries): return entries.reduce(0) { $0 + $1.data.count + 20 }
        }
    }
}

/// An entry as it appears in the log users read: its index (1, 2, 3…, dense, no-ops take none)
/// and what the client appended.
public struct AppliedEntry: Hashable, Sendable {
    public var index: UInt64
    public var entry: ClientEntry

    public init(index: UInt64, entry: ClientEntry) {
        self.index = index
        self.entry = entry
    }
}

/// A value an acceptor accepted in a slot, under a ballot (the multi-slot acceptor's vote).
public typealias AcceptedValue = Vote<SlotValue>

/// What an acceptor reports about one slot in its promise.
public struct SlotReport: Hashable, Sendable {
    public var slot: Slot
    /// The ballot it accepted `value` under; nil when the value is known chosen (learned by catch-up).
    public var ballot: Ballot?
    public var value: SlotValue

    public init(slot: Slot, ballot: Ballot?, value: SlotValue) {
        self.slot = slot
        self.ballot = ballot
        self.value = value
    }
}

/// Bounds every decoder and the replica enforce on numbers that arrive from outside.
public enum ProtocolLimits {
    /// Ballot numbers and slots must stay below this (2^62): far above anything reachable, and
    /// low enough that adding a count or one more ballot can never overflow.
    public static let slotsAndBallots: UInt64 = 1 << 62
}
