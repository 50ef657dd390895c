import PaxosJournal
import PaxosProtocol

/// A `LogBase` in a file of its own in the log store's directory, `base-<slot, 20 digits>`.
///
/// Format (little-endian): magic `PXLGBASE` (8), format version 1 (2), reserved (2), length of
/// the base (4), the base (`LogBase.encoded()`), CRC-32 of everything before it (4). Written
/// atomically (temporary file, fsync, rename, directory fsync).
enum LogBaseFile {
    static let magic = Array("PXLGBASE".utf8)
    static let version: UInt16 = 1
    static let prefix = "base-"
    /// The largest base read back: the de-duplication table is bounded well below this.
    static let maxSize = 256 << 20

    static func name(of slot: Slot) -> String {
        let digits = String(slot)
        return prefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// The slots of the bases in `directory`, ascending.
    static func slots(in directory: String, names: [String]) -> [Slot] {
        names.compactMap { name -> Slot? in
            guard name.hasPrefix(prefix) else { return nil }
            let digits = name.dropFirst(prefix.count)
            guard digits.count == 20, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Slot(digits)
        }.sorted()
    }

    static func write(_ base: LogBase, in directory: String) throws(LogStoreError) {
        let payload = base.encoded()
        var bytes = magic
        bytes.reserveCapacity(20 + payload.count)
        LittleEndianBytes.append(version, to: &bytes)
        LittleEndianBytes.append(UInt16(0), to: &bytes)
        LittleEndianBytes.append(UInt32(payload.count), to: &bytes)
        bytes += payload
        LittleEndianBytes.append(Checksum.crc32(bytes), to: &bytes)
        do {
            try AtomicFile.write(bytes, to: directory + "/" + name(of: base.slot))
        } catch {
            throw LogStoreError(error)
        }
    }

    static func read(_ slot: Slot, in directory: String) throws(LogStoreError) -> LogBase {
        let path = directory + "/" + name(of: slot)
        let found: [UInt8]?
        do {
            found = try AtomicFile.read(path, limit: maxSize)
        } catch {
            throw LogStoreError(error)
        }
        guard let bytes = found else { throw LogStoreError(.notFound, "\(path) does not exist") }
        guard bytes.count >= 20, Array(bytes[0..<8]) == magic else {
            throw LogStoreError(.inconsistent, "\(path) is not a log base (bad magic or \(bytes.count) bytes)")
        }
        let fileVersion = LittleEndianBytes.load(UInt16.self, from: bytes, at: 8)
        guard fileVersion == version else {
            throw LogStoreError(.inconsistent, "\(path): log base format version \(fileVersion) is not supported")
        }
        let length = Int(LittleEndianBytes.load(UInt32.self, from: bytes, at: 12))
        guard bytes.count == 16 + length + 4 else {
            throw LogStoreError(.inconsistent, "\(path): \(bytes.count) bytes, its header announces \(16 + length + 4)")
        }
        let stored = LittleEndianBytes.load(UInt32.self, from: bytes, at: 16 + length)
        let computed = Checksum.crc32(bytes[0..<(16 + length)])
        guard stored == computed else {
            throw LogStoreError(
                .inconsistent,
                "\(path): checksum mismatch at offset \(16 + length) (stored \(stored), computed \(computed))")
        }
        let base: LogBase
        do {
            base = try LogBase(decoding: Array(bytes[16..<(16 + length)]))
        } catch {
            throw LogStoreError(.inconsistent, "\(path): \(error)")
        }
        guard base.slot == slot else {
            throw LogStoreError(.inconsistent, "\(path) holds the base of slot \(base.slot)")
        }
        return base
    }
}
