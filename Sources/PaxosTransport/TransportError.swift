/// A transport failure: bad address, bad frame, refused or failed handshake, closed connection,
/// unusable secret file or certificate, failed TLS handshake.
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
        /// The other side could not prove that it holds the cluster secret (a fake or misconfigured node).
        case authenticationFailed
        /// A member of the cluster answered, but not the node expected at that address (a wrong
        /// configuration, or a relay).
        case unexpectedNode
        /// A frame after the handshake whose tag does not verify: injected, altered, replayed,
        /// reordered, or after a lost frame.
        case frameAuthenticationFailed
        /// A secret file that is missing, unreadable, the wrong size or too widely readable.
        case invalidSecret
        /// A certificate or key file that is missing, unreadable, malformed, expired, not signed by
        /// the cluster CA, or does not name a paxoslog member.
        case invalidCertificate
        /// The TLS handshake failed: the other side's certificate did not verify against the
        /// cluster CA (another CA, expired, none presented), or it does not speak TLS.
        case tlsFailed
        /// An established connection on which nothing arrived for the liveness deadline, keepalives
        /// unanswered: the other side is frozen, overloaded beyond use, or cut off.
        case unresponsive
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
