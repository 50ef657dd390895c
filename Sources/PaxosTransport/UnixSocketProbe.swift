import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Whether a Unix socket file belongs to a live listener.
enum UnixSocketProbe {
    /// True when something accepts a connection on `path`. A stale file left by a killed process
    /// refuses the connection (`ECONNREFUSED`); a missing file, or any other failure, also counts
    /// as "not accepting", so binding proceeds and reports its own error if there is one. The probe
    /// never blocks: a listener whose backlog is full (`EAGAIN`) is alive too.
    static func isAccepting(_ path: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity, FileManager.default.fileExists(atPath: path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0 || errno == EAGAIN
    }
}
