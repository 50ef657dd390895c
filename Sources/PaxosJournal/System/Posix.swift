#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin wrappers over the file system calls the journal makes outside the writer seam, each
/// retrying EINTR and turning errno into a ``JournalError`` that names the file.
enum Posix {
    /// Runs a call that returns -1 and sets errno on failure, retrying EINTR.
    static func retryingEINTR(_ call: () -> Int) -> Result<Int, SyscallError> {
        while true {
            let result = call()
            if result >= 0 { return .success(result) }
            let code = errno
            if code != EINTR { return .failure(SyscallError(code)) }
        }
    }

    /// open(2) with O_CLOEXEC.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(JournalError) -> Int32 {
        let result = retryingEINTR { Int(Glibc.open(path, flags | O_CLOEXEC, mode)) }
        switch result {
        case .success(let fd): return Int32(fd)
        case .failure(let error): throw JournalError(.io, "cannot open", path: path, errno: error.code)
        }
    }

    /// close(2); errors are ignored because nothing useful can follow a failed close of a read fd,
    /// and write fds are always fsynced before they are closed.
    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Reads up to `count` bytes at `offset`; fewer only at end of file.
    static func pread(_ fd: Int32, count: Int, at offset: Int64, path: String) throws(JournalError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = bytes.withUnsafeMutableBytes { buffer in
                retryingEINTR {
                    Glibc.pread(fd, buffer.baseAddress.map { $0 + done }, count - done, off_t(offset) + off_t(done))
                }
            }
            switch result {
            case .success(0):
                bytes.removeSubrange(done...)
                return bytes
            case .success(let n):
                done += n
            case .failure(let error):
                throw JournalError(.io, "read failed", path: path, offset: offset + Int64(done), errno: error.code)
            }
        }
        return bytes
    }

    /// The size of an open file.
    static func fileSize(_ fd: Int32, path: String) throws(JournalError) -> Int64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw JournalError(.io, "fstat failed", path: path, errno: errno) }
        return Int64(info.st_size)
    }

    /// Whether `path` exists (of any type).
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// mkdir(2), treating an existing directory as success.
    static func makeDirectory(_ path: String) throws(JournalError) {
        if Glibc.mkdir(path, 0o755) != 0, errno != EEXIST {
            throw JournalError(.io, "cannot create journal directory", path: path, errno: errno)
        }
    }

    /// The names in a directory, without `.` and `..`.
    static func listDirectory(_ path: String) throws(JournalError) -> [String] {
        guard let dir = opendir(path) else {
            throw JournalError(.io, "cannot list journal directory", path: path, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// rename(2).
    static func rename(_ from: String, to: String) throws(JournalError) {
        guard Glibc.rename(from, to) == 0 else {
            throw JournalError(.io, "cannot rename to \(to)", path: from, errno: errno)
        }
    }

    /// unlink(2), treating a missing file as success.
    static func unlink(_ path: String) throws(JournalError) {
        if Glibc.unlink(path) != 0, errno != ENOENT {
            throw JournalError(.io, "cannot delete", path: path, errno: errno)
        }
    }

    /// ftruncate(2).
    static func truncate(_ fd: Int32, to size: Int64, path: String) throws(JournalError) {
        guard ftruncate(fd, off_t(size)) == 0 else {
            throw JournalError(.io, "cannot truncate to \(size) bytes", path: path, errno: errno)
        }
    }

    /// Makes the directory entry changes in `path` (create, rename, delete) durable.
    static func syncDirectory(_ path: String, syscalls: JournalSyscalls) throws(JournalError) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        if case .failure(let error) = syscalls.fsync(fd) {
            throw JournalError(.fsyncFailed, "directory fsync failed", path: path, errno: error.code)
        }
    }

    /// Writes all of `bytes` at `offset` with plain pwrite (used outside the writer, e.g. repair).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int64, path: String, syscalls: JournalSyscalls)
        throws(JournalError)
    {
        let result = bytes.withUnsafeBytes { syscalls.pwrite(fd, $0, offset) }
        switch result {
        case .success(let written) where written == bytes.count:
            return
        case .success(let written):
            throw JournalError(
                .fsyncFailed, "short write (expected \(bytes.count) bytes, wrote \(written))", path: path,
                offset: offset)
        case .failure(let error):
            throw JournalError(.io, "write failed", path: path, offset: offset, errno: error.code)
        }
    }
}
