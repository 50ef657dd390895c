/// A client-side failure, with a message a user can act on.
public struct ClientError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

extension ClientError {
    /// Node `node` does not hold the entries from `from`: it caught up past a trim from a base.
    public static func notHeld(node: UInt32, from: UInt64, firstHeld: UInt64) -> ClientError {
        ClientError(
            "node \(node) holds the log from index \(firstHeld) only (it caught up past a trim); index \(from) is on "
                + "the other nodes: read without --node, or from another node")
    }

    /// A read asked for `requested`, below the log's first index: those entries were trimmed.
    public static func trimmed(requested: UInt64, firstIndex: UInt64) -> ClientError {
        ClientError(
            "index \(requested) was trimmed: the log's first index is \(firstIndex) (read from \(firstIndex) on, or "
                + "leave out --from to start at the first index)")
    }
}
