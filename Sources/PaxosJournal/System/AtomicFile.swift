#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small file replaced all at once: written under a temporary name, synced, renamed over the old
/// one, and the directory synced. A crash leaves the old contents or the new, never a mix.
public enum AtomicFile {
    /// Replaces `path` with `bytes` (file mode `mode`), durably.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(JournalError) {
        let temporary = path + ".tmp"
        try Posix.unlink(temporary)
        let fd = try Posix.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        do throws(JournalError) {
            try Posix.writeAll(fd, bytes, at: 0, path: temporary, syscalls: .system)
            if case .failure(let error) = JournalSyscalls.system.fsync(fd) {
                throw JournalError(.fsyncFailed, "fsync failed", path: temporary, errno: error.code)
            }
        } catch {
            Posix.close(fd)
            throw error
        }
        Posix.close(fd)
        try Posix.rename(temporary, to: path)
        try Posix.syncDirectory(directory(of: path), syscalls: .system)
    }

    /// The whole contents of `path`, or nil when there is no such file. Reads at most `limit` bytes:
    /// a longer file is an error (these files are small by design).
    public static func read(_ path: String, limit: Int = 1 << 20) throws(JournalError) -> [UInt8]? {
        guard Posix.exists(path) else { return nil }
        let fd = try Posix.open(path, O_RDONLY)
        defer { Posix.close(fd) }
        let bytes = try Posix.pread(fd, count: limit + 1, at: 0, path: path)
        guard bytes.count <= limit else {
            throw JournalError(.corrupt, "longer than the \(limit) bytes expected", path: path)
        }
        return bytes
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
