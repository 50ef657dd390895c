/// A transport failure: bad address, bad frame, refused handshake, closed connection.
public struct TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        case invalidAddress
        case frameTooLarge
        case malformedFrame
        case handshakeRefused
        case connectionClosed
        case connectFailed
        case timedOut
        case addressInUse
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
