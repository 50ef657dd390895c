import Foundation

/// Writes a file that must not exist yet (O_EXCL), with an exact mode, synced: for keys and
/// certificates, which are never silently replaced.
enum NewFile {
    /// - Throws: `CLIError` naming the file: it exists, or cannot be written.
    static func write(_ text: String, to path: String, mode: mode_t) throws {
        var descriptor: Int32
        repeat {
            descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else {
            let code = errno
            throw CLIError(
                code == EEXIST
                    ? "\(path) already exists; refusing to overwrite it (choose another --out, or remove the old files)"
                    : "cannot create \(path): \(String(cString: strerror(code)).lowercased())")
        }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var done = 0
        var failure: Int32 = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.write(descriptor, base + done, buffer.count - done)
            }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                failure = errno
                break
            }
            done += count
        }
        // The umask can only narrow `mode`; fchmod makes it exact (0644 for a certificate).
        if failure == 0 && (fchmod(descriptor, mode) != 0 || fsync(descriptor) != 0) { failure = errno }
        guard failure == 0 else {
            unlink(path)
            throw CLIError("cannot write \(path): \(String(cString: strerror(failure)).lowercased())")
        }
    }
}
