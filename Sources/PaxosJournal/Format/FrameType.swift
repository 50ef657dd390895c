/// The kind of a frame. Zero is deliberately not a type, so zeroed (preallocated) space never
/// parses as a frame.
public enum FrameType: UInt8, Sendable, CustomStringConvertible {
    /// A whole batch in one frame: the only kind written by version 1.
    case full = 1

    public var description: String {
        switch self {
        case .full: return "full"
        }
    }
}
