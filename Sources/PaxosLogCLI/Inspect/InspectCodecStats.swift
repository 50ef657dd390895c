/// Per-codec totals over the valid frames: how much each codec actually saved.
struct InspectCodecStats: Encodable, Equatable {
    /// The codec name (`none`, `lz4`, `zlib`).
    var codec: String
    /// Frames stored with this codec.
    var frames = 0
    /// Records in those frames.
    var records = 0
    /// Payload bytes as stored (headers and padding excluded).
    var storedBytes = 0
    /// Payload bytes before compression.
    var uncompressedBytes = 0
    /// `uncompressedBytes / storedBytes`; 1 for raw frames.
    var ratio: Double { storedBytes == 0 ? 1 : Double(uncompressedBytes) / Double(storedBytes) }

    private enum CodingKeys: String, CodingKey {
        case codec, frames, records, storedBytes, uncompressedBytes, ratio
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(codec, forKey: .codec)
        try container.encode(frames, forKey: .frames)
        try container.encode(records, forKey: .records)
        try container.encode(storedBytes, forKey: .storedBytes)
        try container.encode(uncompressedBytes, forKey: .uncompressedBytes)
        // Rounded so the JSON is stable and readable; the byte counts carry the exact figures.
        try container.encode((ratio * 1000).rounded() / 1000, forKey: .ratio)
    }
}
