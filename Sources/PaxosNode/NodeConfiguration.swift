import PaxosCore
import PaxosJournal
import PaxosTransport

/// Everything one `paxoslog node` process needs to know.
public struct NodeConfiguration: Sendable {
    /// This node's id (1…N).
    public var id: NodeID
    /// Where its journal lives.
    public var dataDirectory: String
    /// Where it listens for peers and clients.
    public var listen: TransportAddress
    /// Every other member and where it listens.
    public var peers: [NodeID: TransportAddress]
    /// Connections that present another cluster id are refused.
    public var clusterID: UInt64
    /// The key every member and client proves it holds in the handshake.
    public var secret: ClusterSecret
    /// Mutual TLS on TCP, for the listener and the peer links; nil for plain TCP (`--insecure`).
    public var transportSecurity: TransportSecurity? = nil
    /// The listener's handshake deadline, connection caps and idle timeout.
    public var connectionLimits: ConnectionLimits
    /// Which run of this node this is; sent to peers in the hello.
    public var incarnation: UInt64 = 0
    /// The journal's codec, segment size and batching.
    public var journalOptions: JournalOptions
    public var heartbeatPeriod: Duration
    public var electionTimeout: Duration
    /// How often the replica is ticked.
    public var tickInterval: Duration
    /// A single entry larger than this is refused.
    public var maxEntryBytes: Int
    /// How often the node writes its checkpoint (and deletes the journal segments it covers).
    public var checkpointInterval: Duration = .seconds(10)
    /// How much of the log to keep; the leader trims the rest (`RetentionPolicy`).
    public var retention = RetentionPolicy()
    /// Where to serve `GET /metrics` and `GET /health` over HTTP (`tcp:HOST:PORT`); nil: nowhere.
    public var metricsListen: TransportAddress?
    /// The operator says this data directory is being set up for a cluster created now, so an empty
    /// one is expected (`cluster start` prepares its directories instead). Without it, a node that
    /// finds no state assumes it lost it and rebuilds before it votes.
    public var isNewCluster = false

    public init(
        id: NodeID, dataDirectory: String, listen: TransportAddress, peers: [NodeID: TransportAddress],
        clusterID: UInt64, secret: ClusterSecret, connectionLimits: ConnectionLimits = ConnectionLimits(),
        journalOptions: JournalOptions = JournalOptions(),
        heartbeatPeriod: Duration = .milliseconds(50), electionTimeout: Duration = .milliseconds(500),
        tickInterval: Duration = .milliseconds(10), maxEntryBytes: Int = 4 << 20
    ) {
        self.id = id
        self.dataDirectory = dataDirectory
        self.listen = listen
        self.peers = peers
        self.clusterID = clusterID
        self.secret = secret
        self.connectionLimits = connectionLimits
        self.journalOptions = journalOptions
        self.heartbeatPeriod = heartbeatPeriod
        self.electionTimeout = electionTimeout
        self.tickInterval = tickInterval
        self.maxEntryBytes = maxEntryBytes
    }

    /// When the links to peers probe a quiet peer and give up on a silent one: derived from the
    /// election timeout, so a link to a peer that went silent is redialled within about one
    /// election (``ConnectionLiveness/Configuration/peer(electionTimeout:)``).
    public var peerLiveness: ConnectionLiveness.Configuration {
        let (seconds, attoseconds) = electionTimeout.components
        return .peer(electionTimeout: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
    }

    /// All members, this node included, in id order.
    public var members: [NodeID] { ([id] + peers.keys).sorted() }

    /// Members the cluster file lists as learners (added by `cluster add`, not yet promoted).
    public var learners: Set<NodeID> = []

    /// The members that vote, as the cluster file says: the replica's membership until the log
    /// says otherwise.
    public var voters: [NodeID] { members.filter { !learners.contains($0) } }
}
