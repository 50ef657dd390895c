/// The application's frame kinds (the transport owns kinds below 16).
public enum FrameKind {
    /// A `ReplicaMessage` from one node to another.
    public static let peerMessage: UInt8 = 16
    /// Client → node: entries to append (`AppendRequest`).
    public static let appendRequest: UInt8 = 32
    /// Node → client: what became of them (`AppendResult`).
    public static let appendResult: UInt8 = 33
    /// Client → node: read entries (`ReadRequest`).
    public static let readRequest: UInt8 = 34
    /// Node → client: entries (`ReadResult`).
    public static let readResult: UInt8 = 35
    /// Client → node: how are you? (empty payload)
    public static let statusRequest: UInt8 = 36
    /// Node → client: `NodeStatus` as JSON.
    public static let statusResult: UInt8 = 37
    /// Client → node: move the log's first index (`TrimRequest`).
    public static let trimRequest: UInt8 = 38
    /// Node → client: the new first index, or where the leader is (`TrimResult`).
    public static let trimResult: UInt8 = 39
    /// Client → node: hand leadership to a node (`TransferRequest`).
    public static let transferRequest: UInt8 = 40
    /// Node → client: who leads now, or where the leader is (`TransferResult`).
    public static let transferResult: UInt8 = 41
    /// Client → node: add a learner, promote it, remove a member (`MembershipRequest`).
    public static let membershipRequest: UInt8 = 42
    /// Node → client: the members after the change, or why not (`MembershipResult`).
    public static let membershipResult: UInt8 = 43
}
