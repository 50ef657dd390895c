/// A node's view of itself, for `paxoslog cluster status`.
public struct NodeStatus: Codable, Hashable, Sendable {
    public var id: UInt32
    public var pid: Int32
    /// leader, follower or candidate.
    public var role: String
    /// False while the node rebuilds state it lost and does not vote, or while it is a learner or
    /// no longer a member (nil from older nodes).
    public var voter: Bool? = nil
    /// "voter", "learner" or "none", as the membership this node knows has it (nil from older nodes).
    public var membership: String? = nil
    /// The ballot of the leader this node follows (or leads), as "number.node".
    public var ballot: String?
    public var leader: UInt32?
    /// Entries committed and applied on this node (the log's last index as this node knows it).
    public var commitIndex: UInt64
    /// The log's first index on this node: entries below it were trimmed (nil from older nodes).
    public var firstIndex: UInt64? = nil
    /// Where this node's log would end if every entry it has accepted committed: `commitIndex`
    /// plus the entries in its accepted, not yet chosen slots (an upper bound; see
    /// `Replica.acceptedEntriesBeyondCommit`).
    public var lastIndex: UInt64 = 0
    /// Slots chosen on this node.
    public var commitSlot: UInt64
    /// The highest slot holding an accepted value.
    public var lastSlot: UInt64
    /// Bytes on disk of the acceptor journal (cut at every checkpoint).
    public var journalBytes: UInt64
    /// Bytes on disk of the log store, the committed log (nil from older nodes).
    public var logBytes: UInt64? = nil
    public var fsyncs: UInt64
    public var fsyncP50Milliseconds: Double
    public var fsyncP99Milliseconds: Double
    public var recordsPerFsync: Double

    public init(
        id: UInt32, pid: Int32, role: String, ballot: String?, leader: UInt32?, commitIndex: UInt64,
        commitSlot: UInt64, lastSlot: UInt64, journalBytes: UInt64, fsyncs: UInt64, fsyncP50Milliseconds: Double,
        fsyncP99Milliseconds: Double, recordsPerFsync: Double
    ) {
        self.id = id
        self.pid = pid
        self.role = role
        self.ballot = ballot
        self.leader = leader
        self.commitIndex = commitIndex
        self.commitSlot = commitSlot
        self.lastSlot = lastSlot
        self.journalBytes = journalBytes
        self.fsyncs = fsyncs
        self.fsyncP50Milliseconds = fsyncP50Milliseconds
        self.fsyncP99Milliseconds = fsyncP99Milliseconds
        self.recordsPerFsync = recordsPerFsync
    }
}
