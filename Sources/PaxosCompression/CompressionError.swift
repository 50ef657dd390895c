/// A block could not be compressed or decompressed.
public struct CompressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The codec that failed.
    public var codec: Codec
    /// What went wrong, in words a user can act on.
    public var message: String

    public init(codec: Codec, message: String) {
        self.codec = codec
        self.message = message
    }

    public var description: String { "\(codec): \(message)" }
}
