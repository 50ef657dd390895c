/// A block codec for one journal frame. Every block is compressed on its own: no dictionary or stream
/// state is carried from one block to the next, so any block decodes without its neighbours.
public enum Codec: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Bytes stored as they are.
    case none = 0
    /// LZ4 block format: fast, moderate ratio. The default.
    case lz4 = 1
    /// zlib (deflate with zlib header and Adler-32): slower, better ratio.
    case zlib = 2

    /// The name used on the command line and in `inspect` output.
    public var description: String {
        switch self {
        case .none: return "none"
        case .lz4: return "lz4"
        case .zlib: return "zlib"
        }
    }

    /// Parses a codec name as written on the command line (`none`, `lz4`, `zlib`).
    public init?(name: String) {
        guard let codec = Codec.allCases.first(where: { $0.description == name }) else { return nil }
        self = codec
    }
}
