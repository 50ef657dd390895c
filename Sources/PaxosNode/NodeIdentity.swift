import PaxosJournal

/// Who a data directory belongs to, in `DATA/identity`: the cluster, the member, and the
/// incarnation of that member's state.
///
/// Written once when the directory is set up for a new cluster, then again only when the node
/// detects it lost state and restarts as a new incarnation. Its absence in a directory that should
/// hold a member's state is itself a finding: the directory was deleted or replaced.
///
/// Format (little-endian, 34 bytes): magic `PXLGID01` (8), cluster id (8), node id (4),
/// incarnation (8), flags (2: bit 0 = the node has started with this directory), CRC-32 of the
/// preceding 30 bytes (4).
public struct NodeIdentity: Hashable, Sendable {
    public var clusterID: UInt64
    public var nodeID: UInt32
    /// Random, new for every start with lost state; peers see it in the handshake.
    public var incarnation: UInt64
    /// False only between `cluster start` creating the directory and the node's first start: an
    /// empty journal is expected then, and only then.
    public var hasStarted: Bool

    static let magic = Array("PXLGID01".utf8)
    static let size = 34

    public init(clusterID: UInt64, nodeID: UInt32, incarnation: UInt64 = .random(in: 1...UInt64.max), hasStarted: Bool)
    {
        self.clusterID = clusterID
        self.nodeID = nodeID
        self.incarnation = incarnation
        self.hasStarted = hasStarted
    }

    /// `DATA/identity`.
    public static func path(in dataDirectory: String) -> String { dataDirectory + "/identity" }

    /// Prepares the data directory of a member of a cluster being created: the node's first start
    /// then finds the empty journal it expects.
    public static func initializeNewMember(dataDirectory: String, clusterID: UInt64, nodeID: UInt32) throws(NodeError) {
        try NodeIdentity(clusterID: clusterID, nodeID: nodeID, hasStarted: false).write(to: dataDirectory)
    }

    /// The identity in `dataDirectory`, nil when there is none.
    public static func read(from dataDirectory: String) throws(NodeError) -> NodeIdentity? {
        let path = path(in: dataDirectory)
        let bytes: [UInt8]?
        do {
            bytes = try AtomicFile.read(path, limit: 4096)
        } catch {
            throw NodeError("cannot read \(path): \(error)")
        }
        guard let bytes else { return nil }
        guard bytes.count == size, Array(bytes[0..<8]) == magic else {
            throw NodeError("\(path) is not a paxoslog identity file (\(bytes.count) bytes)")
        }
        guard LittleEndianBytes.load(UInt32.self, from: bytes, at: 30) == Checksum.crc32(bytes[0..<30]) else {
            throw NodeError("\(path) is damaged: its checksum does not match")
        }
        return NodeIdentity(
            clusterID: LittleEndianBytes.load(UInt64.self, from: bytes, at: 8),
            nodeID: LittleEndianBytes.load(UInt32.self, from: bytes, at: 16),
            incarnation: LittleEndianBytes.load(UInt64.self, from: bytes, at: 20),
            hasStarted: LittleEndianBytes.load(UInt16.self, from: bytes, at: 28) & 1 == 1)
    }

    /// Replaces the identity file in `dataDirectory`, durably.
    public func write(to dataDirectory: String) throws(NodeError) {
        var bytes = Self.magic
        LittleEndianBytes.append(clusterID, to: &bytes)
        LittleEndianBytes.append(nodeID, to: &bytes)
        LittleEndianBytes.append(incarnation, to: &bytes)
        LittleEndianBytes.append(UInt16(hasStarted ? 1 : 0), to: &bytes)
        LittleEndianBytes.append(Checksum.crc32(bytes), to: &bytes)
        do {
            try AtomicFile.write(bytes, to: Self.path(in: dataDirectory))
        } catch {
            throw NodeError("cannot write \(Self.path(in: dataDirectory)): \(error)")
        }
    }
}
