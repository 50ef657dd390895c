/// A client-side failure, with a message a user can act on.
public struct ClientError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
