import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The key every member and client of one cluster shares: 32 random bytes that prove, in the
/// handshake, that the other side belongs to the cluster (see ``ListenerHandshake``).
///
/// On disk it is a file of exactly 32 raw bytes (not hex), mode 0600: `DIR/cluster.secret` for a
/// cluster made by `paxoslog cluster start`. Like ssh with a private key, loading refuses a file
/// that its group or others may access. The bytes are never printed: `description` and the mirror
/// show only the size.
public struct ClusterSecret: Hashable, Sendable, CustomStringConvertible, CustomReflectable {
    /// The size of every secret, in bytes.
    public static let byteCount = 32

    let bytes: [UInt8]

    /// A secret from its bytes.
    ///
    /// - Throws: `TransportError` with code `.invalidSecret` unless there are exactly 32 bytes.
    public init(bytes: [UInt8]) throws(TransportError) {
        guard bytes.count == Self.byteCount else {
            throw TransportError(.invalidSecret, "a cluster secret is \(Self.byteCount) bytes, not \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// A new secret from the system's cryptographically secure generator (getrandom on Linux).
    public static func random() -> ClusterSecret {
        ClusterSecret(unchecked: HandshakeNonce.randomBytes(byteCount))
    }

    private init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var description: String { "cluster secret (\(Self.byteCount) bytes, not shown)" }

    public var customMirror: Mirror { Mirror(self, children: []) }

    /// Reads a secret file, refusing one that is missing, unreadable, not a regular file, not
    /// exactly 32 bytes, or accessible by its group or others.
    ///
    /// - Throws: `TransportError` with code `.invalidSecret` and a message naming the file and
    ///   what to do about it.
    public static func load(from path: String) throws(TransportError) -> ClusterSecret {
        let descriptor = SecretFileCalls.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            switch code {
            case ENOENT:
                throw TransportError(.invalidSecret, "secret file \(path) does not exist")
            case EACCES:
                throw TransportError(.invalidSecret, "cannot read secret file \(path): permission denied")
            default:
                throw TransportError(.invalidSecret, "cannot open secret file \(path): \(SecretFileCalls.reason(code))")
            }
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw TransportError(.invalidSecret, "cannot stat secret file \(path): \(SecretFileCalls.reason(errno))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw TransportError(.invalidSecret, "secret file \(path) is not a regular file")
        }
        let permissions = status.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            throw TransportError(
                .invalidSecret,
                "secret file \(path) is accessible by group or others (mode 0\(String(permissions, radix: 8))); "
                    + "it must be readable by its owner only: chmod 600 \(path)")
        }
        guard status.st_size == byteCount else {
            throw TransportError(
                .invalidSecret,
                "secret file \(path) holds \(status.st_size) bytes; a cluster secret is exactly \(byteCount) raw bytes")
        }
        var bytes = [UInt8](repeating: 0, count: byteCount)
        let count = bytes.withUnsafeMutableBytes { SecretFileCalls.readFully(descriptor, $0) }
        guard count == byteCount else {
            throw TransportError(
                .invalidSecret,
                count < 0
                    ? "cannot read secret file \(path): \(SecretFileCalls.reason(errno))"
                    : "secret file \(path) shrank while it was read")
        }
        return ClusterSecret(unchecked: bytes)
    }

    /// Writes the secret to `path` (mode 0600, synced), replacing the file atomically: it is written
    /// beside `path` under another name first, then renamed.
    ///
    /// - Throws: `TransportError` with code `.invalidSecret` naming the file.
    public func write(to path: String) throws(TransportError) {
        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)
        let descriptor = SecretFileCalls.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw TransportError(.invalidSecret, "cannot create \(temporary): \(SecretFileCalls.reason(errno))")
        }
        // The umask cannot widen 0600, but fchmod makes the mode exact whatever the umask removed.
        let written = bytes.withUnsafeBytes { SecretFileCalls.writeFully(descriptor, $0) }
        var failure: Int32 = 0
        if written != bytes.count || fchmod(descriptor, 0o600) != 0 || fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporary)
            throw TransportError(.invalidSecret, "cannot write secret file \(path): \(SecretFileCalls.reason(failure))")
        }
    }
}

/// The few syscalls the secret file needs, each retrying EINTR.
enum SecretFileCalls {
    static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        while true {
            let descriptor = Glibc.open(path, flags, mode)
            if descriptor >= 0 || errno != EINTR { return descriptor }
        }
    }

    /// Reads until the buffer is full or the file ends; the count read, or -1 with errno set.
    static func readFully(_ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
        var done = 0
        while done < buffer.count, let base = buffer.baseAddress {
            let count = read(descriptor, base + done, buffer.count - done)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return -1 }
            if count == 0 { break }
            done += count
        }
        return done
    }

    /// Writes the whole buffer; the count written, or -1 with errno set.
    static func writeFully(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int {
        var done = 0
        while done < buffer.count, let base = buffer.baseAddress {
            let count = Glibc.write(descriptor, base + done, buffer.count - done)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return -1 }
            done += count
        }
        return done
    }

    static func reason(_ code: Int32) -> String { String(cString: strerror(code)).lowercased() }
}
