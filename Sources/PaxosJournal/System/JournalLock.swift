#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The exclusive writer lock: `flock(LOCK_EX | LOCK_NB)` on `DIR/LOCK`, holding the owner's pid.
///
/// flock locks belong to the open file description, so a second open of the same journal conflicts
/// even inside one process, and the kernel drops the lock when the process dies (no stale locks).
struct JournalLock: Sendable {
    /// The descriptor that holds the lock; closing it releases the lock.
    let fd: Int32

    /// Takes the lock or throws `.locked` naming the holder's pid.
    static func acquire(directory: String) throws(JournalError) -> JournalLock {
        let path = directory + "/" + JournalFormat.lockFileName
        let fd = try Posix.open(path, O_RDWR | O_CREAT)
        guard tryLock(fd) else {
            let code = errno
            let holder = (try? Posix.pread(fd, count: 32, at: 0, path: path)).map {
                String(decoding: $0, as: UTF8.self).trimmingWhitespace()
            }
            Posix.close(fd)
            if code == EWOULDBLOCK {
                let pid = holder.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
                throw JournalError(.locked, "journal is locked by pid \(pid)", path: path, errno: code)
            }
            throw JournalError(.io, "cannot lock the journal", path: path, errno: code)
        }
        do {
            // Fixed width, written over the old pid and then cut: no shrinking truncate on each open.
            var line = Array("\(getpid())".utf8)
            line += [UInt8](repeating: UInt8(ascii: " "), count: max(0, 19 - line.count)) + [UInt8(ascii: "\n")]
            try Posix.writeAll(fd, line, at: 0, path: path, syscalls: .system)
            try Posix.truncate(fd, to: Int64(line.count), path: path)
        } catch {
            Posix.close(fd)
            throw error
        }
        return JournalLock(fd: fd)
    }

    /// Tries `flock` for up to a quarter second before giving up with errno set.
    ///
    /// A fork by any thread of this process (e.g. to spawn a child) briefly shares our lock file
    /// description until the child execs and its O_CLOEXEC copy closes; a lock we just released
    /// can look held during that window, so a short retry tells a live holder from that echo.
    private static func tryLock(_ fd: Int32) -> Bool {
        for _ in 0..<50 {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
            if errno != EWOULDBLOCK && errno != EINTR { return false }
            usleep(5_000)
        }
        return flock(fd, LOCK_EX | LOCK_NB) == 0
    }

    /// Releases the lock.
    func release() {
        Posix.close(fd)
    }
}

extension String {
    /// The string without leading and trailing spaces and newlines.
    fileprivate func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\0" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
