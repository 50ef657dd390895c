/// One message on a connection: a kind byte and its payload.
///
/// On the wire: `u32 length (little-endian, of kind + payload) | u8 kind | payload`. The length
/// is checked against a limit before anything is buffered, so a peer cannot make us allocate
/// more than `maximumFrameSize`.
public struct Frame: Hashable, Sendable {
    public var kind: UInt8
    public var payload: [UInt8]

    public init(kind: UInt8, payload: [UInt8]) {
        self.kind = kind
        self.payload = payload
    }

    /// The default limit on one frame: large enough for a 4 MiB entry in a batch, small enough
    /// that a garbage length is refused at once.
    public static let defaultMaximumSize = 64 << 20
}
