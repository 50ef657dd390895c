import PaxosCore
import PaxosProtocol

/// How a replica behaves: its cluster, its timing and its flow-control limits.
public struct ReplicaConfiguration: Hashable, Sendable {
    /// Every member of the cluster, this replica included.
    public var members: [NodeID]
    /// How often the leader sends heartbeats (and re-sends unanswered accepts).
    public var heartbeatPeriod: Duration
    /// A follower that has not heard the leader for a random time in [T, 2T) starts a pre-vote.
    /// A node that heard a leader within T refuses pre-votes.
    public var electionTimeout: Duration
    /// An accept not answered for this long is sent again (to the peers that did not answer).
    public var resendInterval: Duration
    /// The pipeline: at most this many slots proposed and not yet chosen…
    public var maxSlotsInFlight: Int
    /// …and at most this many bytes in them.
    public var maxBytesInFlight: Int
    /// A slot holds at most this many client entries…
    public var maxEntriesPerSlot: Int
    /// …and about this many bytes (a single larger entry gets a slot of its own).
    public var maxBytesPerSlot: Int
    /// A catch-up reply carries at most this many slots…
    public var catchUpChunkSlots: Int
    /// …and about this many bytes.
    public var catchUpChunkBytes: Int
    /// The leader queues at most this many client entries waiting for room in the pipeline…
    public var maxQueuedEntries: Int
    /// …and at most this many bytes of them; beyond either, an append is answered `.overloaded`.
    public var maxQueuedBytes: Int
    /// How many recent sequence numbers per client session are remembered for de-duplication.
    public var dedupWindow: UInt64
    /// At most this many keys over all sessions are remembered for de-duplication (at least two
    /// windows): beyond it, the sessions that appended least recently keep only their last
    /// sequence number (their retries are still recognised, without their index). About 40
    /// bytes of memory each.
    public var dedupMaxKeys: Int
    /// At most this many client sessions are remembered at all (about 50 bytes each, in memory
    /// and in every checkpoint): beyond it, the least recent are forgotten whole.
    public var dedupMaxSessions: Int
    /// How many of the latest chosen slots the replica keeps in memory, for catch-up and promises
    /// without a disk read; older ones are read from the log store.
    public var recentChosenSlots: Int
    /// …and at most this many bytes of them (the newest slot is kept whatever its size).
    public var recentChosenBytes: Int
    /// Seeds the replica's own random choices (election timeouts), so simulations replay.
    public var randomSeed: UInt64
    /// How long a replica that lost state waits, from the start of its recovery, before it runs the
    /// ballot that makes it a voter again. It must outlast any candidacy that may still count a
    /// promise the replica forgot: a candidate gives up after its election deadline, at most twice
    /// the election timeout, so the default is three election timeouts.
    public var recoveryWait: Duration

    public init(
        members: [NodeID],
        heartbeatPeriod: Duration = .milliseconds(50),
        electionTimeout: Duration = .milliseconds(500),
        resendInterval: Duration? = nil,
        maxSlotsInFlight: Int = 64,
        maxBytesInFlight: Int = 8 << 20,
        maxEntriesPerSlot: Int = 2048,
        maxBytesPerSlot: Int = 512 << 10,
        catchUpChunkSlots: Int = 512,
        catchUpChunkBytes: Int = 4 << 20,
        maxQueuedEntries: Int = 1 << 18,
        maxQueuedBytes: Int = 64 << 20,
        dedupWindow: UInt64 = 1 << 16,
        dedupMaxKeys: Int = 1 << 18,
        dedupMaxSessions: Int = 1 << 16,
        recentChosenSlots: Int = 1024,
        recentChosenBytes: Int = 4 << 20,
        randomSeed: UInt64 = 0,
        recoveryWait: Duration? = nil
    ) {
        self.members = members
        self.heartbeatPeriod = heartbeatPeriod
        self.electionTimeout = electionTimeout
        self.resendInterval = resendInterval ?? heartbeatPeriod * 4
        self.maxSlotsInFlight = maxSlotsInFlight
        self.maxBytesInFlight = maxBytesInFlight
        self.maxEntriesPerSlot = maxEntriesPerSlot
        self.maxBytesPerSlot = maxBytesPerSlot
        self.catchUpChunkSlots = catchUpChunkSlots
        self.catchUpChunkBytes = catchUpChunkBytes
        self.maxQueuedEntries = maxQueuedEntries
        self.maxQueuedBytes = maxQueuedBytes
        self.dedupWindow = dedupWindow
        self.dedupMaxKeys = dedupMaxKeys
        self.dedupMaxSessions = dedupMaxSessions
        self.recentChosenSlots = max(1, recentChosenSlots)
        self.recentChosenBytes = max(1, recentChosenBytes)
        self.randomSeed = randomSeed
        self.recoveryWait = recoveryWait ?? electionTimeout * 3
    }

    /// A majority of the members.
    public var quorumSize: Int { members.count / 2 + 1 }
}
