import NIOCore

/// Where a node listens: a Unix domain socket path, or a TCP host and port.
public enum TransportAddress: Hashable, Sendable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)

    /// Parses `unix:PATH` or `tcp:HOST:PORT` (the host may be an IPv6 literal in brackets).
    public init(parsing text: String) throws(TransportError) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw TransportError(.invalidAddress, "'\(text)': empty socket path") }
            // sockaddr_un holds 108 bytes on Linux (104 on macOS), terminator included.
            guard path.utf8.count < 104 else {
                throw TransportError(.invalidAddress, "'\(path)': a Unix socket path must be under 104 bytes")
            }
            self = .unix(path: path)
        } else if text.hasPrefix("tcp:") {
            let rest = text.dropFirst(4)
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
                (1...65535).contains(port)
            else {
                throw TransportError(.invalidAddress, "'\(text)': expected tcp:HOST:PORT with a port in 1...65535")
            }
            var host = String(rest[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw TransportError(.invalidAddress, "'\(text)': empty host") }
            self = .tcp(host: host, port: port)
        } else {
            throw TransportError(.invalidAddress, "'\(text)': expected unix:PATH or tcp:HOST:PORT")
        }
    }

    /// The socket address when the host is an IP literal, so connecting needs no name resolution
    /// (which NIO runs on a shared dispatch queue that a busy process can keep waiting).
    var ipLiteral: SocketAddress? {
        guard case .tcp(let host, let port) = self else { return nil }
        return try? SocketAddress(ipAddress: host, port: port)
    }

    public var description: String {
        switch self {
        case .unix(let path): return "unix:\(path)"
        case .tcp(let host, let port): return host.contains(":") ? "tcp:[\(host)]:\(port)" : "tcp:\(host):\(port)"
        }
    }
}
