/// One line of `inspect --records`: a record, where its frame is, and a printable preview.
struct InspectRecord: Encodable, Equatable {
    /// Always "record", so a JSON-lines reader can tell records from the closing summary.
    var type = "record"
    /// The record's sequence number.
    var sequence: UInt64
    /// The segment file holding its frame.
    var file: String
    /// Byte offset of the frame header within `file` (records inside a frame share it).
    var offset: Int64
    /// The record's length in bytes (nil when its frame cannot be decoded).
    var size: Int?
    /// The frame's codec.
    var codec: String
    /// `ok` when the frame's crc32 matched; the scanner lists no record of a frame that did not.
    var checksum: String
    /// `ok`, or `undecodable` when the payload did not decompress into the records the header claims.
    var payload: String
    /// The first bytes, non-printables escaped (see ``InspectPreview``).
    var preview: String
}
