/// An open read-only descriptor that closes itself when the last reference goes away, so an
/// iterator can keep its current segment open across calls.
final class ReadOnlyFile {
    /// The descriptor.
    let fd: Int32
    /// The file it refers to.
    let path: String

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit {
        Posix.close(fd)
    }
}
