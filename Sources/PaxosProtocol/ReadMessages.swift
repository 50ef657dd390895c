/// How a read is served.
public enum ReadMode: UInt8, Hashable, Sendable {
    /// Through the leader, after it confirms its leadership with a majority: nothing acknowledged
    /// before the request is missing. The result's `endIndex` is the snapshot to read up to.
    case linearizable = 0
    /// This node's own committed prefix, without asking anyone (inspection, and the chunks after a
    /// linearizable first read, which are immutable once committed).
    case local = 1
    /// Like local, but when nothing is available past `fromIndex` the node holds the request until
    /// an entry commits or `waitMilliseconds` pass (long poll, for `tail --follow`).
    case follow = 2
}

/// A client asks for committed entries from `fromIndex` on.
public struct ReadRequest: RequestIDPrefixed, Hashable {
    public var requestID: UInt64
    public var mode: ReadMode
    public var fromIndex: UInt64
    /// Serve nothing past this index (0: no limit).
    public var upTo: UInt64
    public var maxEntries: UInt32
    public var maxBytes: UInt32
    public var waitMilliseconds: UInt32

    public init(
        requestID: UInt64, mode: ReadMode, fromIndex: UInt64, upTo: UInt64 = 0, maxEntries: UInt32 = 4096,
        maxBytes: UInt32 = 4 << 20, waitMilliseconds: UInt32 = 0
    ) {
        self.requestID = requestID
        self.mode = mode
        self.fromIndex = fromIndex
        self.upTo = upTo
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        self.waitMilliseconds = waitMilliseconds
    }

    public var encodedCapacity: Int { 40 }

    public func writeFields(to writer: inout ByteWriter) {
        writer.write(mode.rawValue)
        writer.write(fromIndex)
        writer.write(upTo)
        writer.write(maxEntries)
        writer.write(maxBytes)
        writer.write(waitMilliseconds)
    }

    public init(requestID: UInt64, readingFieldsFrom reader: inout ByteReader) throws(WireDecodingError) {
        self.requestID = requestID
        let modeOffset = reader.offset
        let rawMode: UInt8 = try reader.read()
        guard let mode = ReadMode(rawValue: rawMode) else {
            throw WireDecodingError(offset: modeOffset, message: "unknown read mode \(rawMode)")
        }
        self.mode = mode
        fromIndex = try reader.read()
        upTo = try reader.read()
        maxEntries = try reader.read()
        maxBytes = try reader.read()
        waitMilliseconds = try reader.read()
    }
}

/// Committed entries `firstIndex`, `firstIndex + 1`, … and where the log ends.
public struct ReadResult: RequestIDPrefixed, Hashable {
    public enum Status: WireStatus {
        case ok
        /// Linearizable reads go to the leader; this is who this node believes leads.
        case notLeader(leader: UInt32?)
        case failed(String)
        /// The read began below the log's first index: those entries were trimmed.
        case trimmed(firstIndex: UInt64)
        /// This node does not hold entries below `firstHeld` (it caught up past a trim from a
        /// base), though the log still does: read them from another node.
        case notHeld(firstHeld: UInt64)

        public func write(to writer: inout ByteWriter) {
            switch self {
            case .ok: writer.write(UInt8(0))
            case .notLeader(let leader): writer.write(tag: 1, leader: leader)
            case .failed(let reason): writer.write(tag: 2, reason: reason)
            case .trimmed(let first): writer.write(tag: 3, first)
            case .notHeld(let firstHeld): writer.write(tag: 4, firstHeld)
            }
        }

        public init(reading reader: inout ByteReader) throws(WireDecodingError) {
            let tagOffset = reader.offset
            switch try reader.read(UInt8.self) {
            case 0: self = .ok
            case 1: self = .notLeader(leader: try reader.readLeader())
            case 2: self = .failed(try reader.readReason())
            case 3: self = .trimmed(firstIndex: try reader.read())
            case 4: self = .notHeld(firstHeld: try reader.read())
            case let tag: throw WireDecodingError(offset: tagOffset, message: "unknown read status \(tag)")
            }
        }
    }

    public var requestID: UInt64
    public var status: Status
    public var firstIndex: UInt64
    public var entries: [[UInt8]]
    /// For a linearizable read, the snapshot's last index; otherwise this node's last index.
    public var endIndex: UInt64

    public init(requestID: UInt64, status: Status, firstIndex: UInt64, entries: [[UInt8]], endIndex: UInt64) {
        self.requestID = requestID
        self.status = status
        self.firstIndex = firstIndex
        self.entries = entries
        self.endIndex = endIndex
    }

    public var encodedCapacity: Int { 32 + entries.reduce(0) { $0 + $1.count + 4 } }

    public func writeFields(to writer: inout ByteWriter) {
        status.write(to: &writer)
        writer.write(firstIndex)
        writer.write(endIndex)
        writer.write(UInt32(entries.count))
        for entry in entries { writer.writeLengthPrefixed(entry) }
    }

    /// The encoding of an `.ok` result whose `count` entries are already encoded, each a u32
    /// length and its bytes, in `entries` (the node copies them from its log store this way).
    public static func encoded(
        requestID: UInt64, firstIndex: UInt64, endIndex: UInt64, count: Int, entries: [UInt8]
    ) -> [UInt8] {
        var writer = ByteWriter(capacity: 32 + entries.count)
        writer.write(requestID)
        Status.ok.write(to: &writer)
        writer.write(firstIndex)
        writer.write(endIndex)
        writer.write(UInt32(count))
        writer.append(entries[...])
        return writer.bytes
    }

    public init(requestID: UInt64, readingFieldsFrom reader: inout ByteReader) throws(WireDecodingError) {
        self.requestID = requestID
        status = try Status(reading: &reader)
        firstIndex = try reader.read()
        endIndex = try reader.read()
        let count = try reader.readCount(minimumElementSize: 4)
        entries = []
        entries.reserveCapacity(count)
        for _ in 0..<count { entries.append(try reader.readLengthPrefixed()) }
    }
}
