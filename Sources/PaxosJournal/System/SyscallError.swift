#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed system call's errno, kept as a value so the syscall seam can return it without relying
/// on the thread-local `errno` surviving until the caller reads it.
public struct SyscallError: Error, Sendable, Equatable {
    /// The errno value.
    public var code: Int32

    public init(_ code: Int32) { self.code = code }

    /// The C library's text for this errno.
    public var name: String { String(cString: strerror(code)) }

    /// Input/output error: what a failed fdatasync reports.
    public static let eio = SyscallError(EIO)
    /// No space left on device.
    public static let enospc = SyscallError(ENOSPC)
}
