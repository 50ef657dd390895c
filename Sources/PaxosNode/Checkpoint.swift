import PaxosJournal
import PaxosLogStore
import PaxosReplica

/// A replica's state at one moment, in `DATA/checkpoint`, so that a restart reads this and the
/// journal written after it instead of the whole history.
///
/// Written only once every journal record through `journalSequence` is durable and the log store
/// holds every slot through the snapshot's commit index; then journal segments wholly at or below
/// `journalSequence` are deleted. Replaced atomically (temporary file, fsync, rename, directory
/// fsync): a crash leaves the previous checkpoint or this one.
///
/// Kept in two checksummed copies, `checkpoint` then `checkpoint.copy`, each replaced atomically
/// in that order (so the first is never older than the second), and the journal is cut only after
/// both: the promise and the accepted values it holds must survive one damaged copy (Alagappan et
/// al., FAST'18, keep such metadata twice). A start reads the first copy, and the second when the
/// first does not verify.
///
/// Format (little-endian): magic `PXLGCKP1` (8), format version 3 (2), reserved (2), journal
/// sequence (8), snapshot length (4), the snapshot (`ReplicaSnapshot.encoded()`), the log store's
/// index anchors through the snapshot's commit index (count u32, then slot u64 and first index
/// u64 each), CRC-32 of everything before it (4). The format version is the snapshot's
/// (`ReplicaSnapshot.formatVersion`); versions 1 (before trims) and 2 (before membership changes) are still read.
struct Checkpoint: Equatable, Sendable {
    /// Every journal record through this sequence number is reflected in `snapshot`.
    var journalSequence: UInt64
    var snapshot: ReplicaSnapshot
    /// The log store's sparse index through `snapshot.commitIndex`: the store is opened from here.
    var logAnchors: [IndexAnchor]

    /// Where the log store stood.
    var logPosition: LogStorePosition {
        LogStorePosition(slot: snapshot.commitIndex, lastIndex: snapshot.lastIndex, anchors: logAnchors)
    }

    static let magic = Array("PXLGCKP1".utf8)
    static let version = ReplicaSnapshot.formatVersion
    static let headerSize = 24
    /// The largest checkpoint read back: accepted values in flight and the de-duplication table
    /// are bounded well below this.
    static let maxSize = 256 << 20

    static func path(in dataDirectory: String) -> String { dataDirectory + "/checkpoint" }
    static func copyPath(in dataDirectory: String) -> String { dataDirectory + "/checkpoint.copy" }

    func encoded() -> [UInt8] {
        let payload = snapshot.encoded()
        var bytes = Self.magic
        bytes.reserveCapacity(Self.headerSize + payload.count + 4)
        LittleEndianBytes.append(Self.version, to: &bytes)
        LittleEndianBytes.append(UInt16(0), to: &bytes)
        LittleEndianBytes.append(journalSequence, to: &bytes)
        LittleEndianBytes.append(UInt32(payload.count), to: &bytes)
        bytes += payload
        LittleEndianBytes.append(UInt32(logAnchors.count), to: &bytes)
        for anchor in logAnchors {
            LittleEndianBytes.append(anchor.slot, to: &bytes)
            LittleEndianBytes.append(anchor.firstIndex, to: &bytes)
        }
        LittleEndianBytes.append(Checksum.crc32(bytes), to: &bytes)
        return bytes
    }

    /// Writes both copies durably, the first one first, each replacing its previous version.
    func write(to dataDirectory: String) throws(NodeError) {
        let bytes = encoded()
        do {
            try AtomicFile.write(bytes, to: Self.path(in: dataDirectory))
            try AtomicFile.write(bytes, to: Self.copyPath(in: dataDirectory))
        } catch {
            throw NodeError("cannot write the checkpoint: \(error)")
        }
    }

    /// The checkpoint in `dataDirectory`, or nil when there is none: the first copy, or the second
    /// when the first is missing or does not verify (`damaged` is then told why). Throws when no
    /// copy verifies.
    static func read(
        from dataDirectory: String, damaged: (String) -> Void = { _ in }
    ) throws(NodeError) -> Checkpoint? {
        let first: Result<Checkpoint?, NodeError> = Result { () throws(NodeError) in
            try readCopy(at: Self.path(in: dataDirectory))
        }
        if case .success(let checkpoint?) = first { return checkpoint }
        let second: Result<Checkpoint?, NodeError> = Result { () throws(NodeError) in
            try readCopy(at: Self.copyPath(in: dataDirectory))
        }
        switch (first, second) {
        case (_, .success(let copy?)):
            if case .failure(let error) = first {
                damaged("\(error.message); using its second copy")
            } else {
                damaged("\(Self.path(in: dataDirectory)) is missing; using its second copy")
            }
            return copy
        case (.failure(let error), .success(nil)):
            throw error  // written before checkpoints had a second copy
        case (.failure(let error), .failure(let copyError)):
            throw NodeError("both copies of the checkpoint are damaged: \(error.message); \(copyError.message)")
        case (.success, .failure(let copyError)):
            throw copyError
        case (.success, .success(nil)):
            return nil
        }
    }

    private static func readCopy(at path: String) throws(NodeError) -> Checkpoint? {
        let found: [UInt8]?
        do {
            found = try AtomicFile.read(path, limit: maxSize)
        } catch {
            throw NodeError("cannot read \(path): \(error)")
        }
        guard let bytes = found else { return nil }
        return try decode(bytes, path: path)
    }

    static func decode(_ bytes: [UInt8], path: String) throws(NodeError) -> Checkpoint {
        guard bytes.count >= headerSize + 4, Array(bytes[0..<8]) == magic else {
            throw NodeError("\(path) is not a paxoslog checkpoint (bad magic or too short: \(bytes.count) bytes)")
        }
        let version = LittleEndianBytes.load(UInt16.self, from: bytes, at: 8)
        guard version >= 1, version <= Self.version else {
            throw NodeError(
                "\(path): checkpoint format version \(version) is not supported (expected 1...\(Self.version))")
        }
        let length = Int(LittleEndianBytes.load(UInt32.self, from: bytes, at: 20))
        let anchorsAt = headerSize + length
        guard bytes.count >= anchorsAt + 8 else {
            throw NodeError("\(path): \(bytes.count) bytes, too short for its \(length)-byte snapshot")
        }
        let anchorCount = Int(LittleEndianBytes.load(UInt32.self, from: bytes, at: anchorsAt))
        let end = anchorsAt + 4 + anchorCount * 16
        guard bytes.count == end + 4 else {
            throw NodeError("\(path): \(bytes.count) bytes, but its header and counts announce \(end + 4)")
        }
        let stored = LittleEndianBytes.load(UInt32.self, from: bytes, at: end)
        let computed = Checksum.crc32(bytes[0..<end])
        guard stored == computed else {
            throw NodeError("\(path): checksum mismatch at offset \(end) (stored \(stored), computed \(computed))")
        }
        let anchors = (0..<anchorCount).map { number in
            let at = anchorsAt + 4 + number * 16
            return IndexAnchor(
                slot: LittleEndianBytes.load(UInt64.self, from: bytes, at: at),
                firstIndex: LittleEndianBytes.load(UInt64.self, from: bytes, at: at + 8))
        }
        do {
            let snapshot = try ReplicaSnapshot(
                decoding: Array(bytes[headerSize..<(headerSize + length)]), formatVersion: version)
            return Checkpoint(
                journalSequence: LittleEndianBytes.load(UInt64.self, from: bytes, at: 12), snapshot: snapshot,
                logAnchors: anchors)
        } catch {
            throw NodeError("\(path): the snapshot does not decode: \(error)")
        }
    }
}
