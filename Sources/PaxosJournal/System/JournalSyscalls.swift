#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The system calls the writer makes, as replaceable closures: the seam through which tests inject
/// an fdatasync EIO, a short write or a full disk without a broken disk.
///
/// Each closure returns the errno as a value (never via the global `errno`). `system` retries EINTR.
public struct JournalSyscalls: Sendable {
    /// pwrite(2): writes the buffer at the offset; returns the bytes written (possibly short).
    public var pwrite:
        @Sendable (_ fd: Int32, _ bytes: UnsafeRawBufferPointer, _ offset: Int64) -> Result<Int, SyscallError>
    /// fdatasync(2): the durability point for appended frames.
    public var fdatasync: @Sendable (_ fd: Int32) -> Result<Void, SyscallError>
    /// fsync(2): used for new segment files and for directories (metadata must be durable too).
    public var fsync: @Sendable (_ fd: Int32) -> Result<Void, SyscallError>
    /// posix_fallocate(3): reserves the segment's blocks so a full disk shows at segment creation.
    public var fallocate: @Sendable (_ fd: Int32, _ offset: Int64, _ length: Int64) -> Result<Void, SyscallError>
    /// posix_fadvise(DONTNEED): drops synced pages from the page cache. Advice only: a failure
    /// changes nothing on disk, so it returns nothing.
    public var dropCachedPages: @Sendable (_ fd: Int32, _ offset: Int64, _ length: Int64) -> Void

    public init(
        pwrite: @escaping @Sendable (Int32, UnsafeRawBufferPointer, Int64) -> Result<Int, SyscallError>,
        fdatasync: @escaping @Sendable (Int32) -> Result<Void, SyscallError>,
        fsync: @escaping @Sendable (Int32) -> Result<Void, SyscallError>,
        fallocate: @escaping @Sendable (Int32, Int64, Int64) -> Result<Void, SyscallError>,
        dropCachedPages: @escaping @Sendable (Int32, Int64, Int64) -> Void = { fd, offset, length in
            _ = posix_fadvise(fd, off_t(offset), off_t(length), Int32(POSIX_FADV_DONTNEED))
        }
    ) {
        self.pwrite = pwrite
        self.fdatasync = fdatasync
        self.fsync = fsync
        self.fallocate = fallocate
        self.dropCachedPages = dropCachedPages
    }

    /// The real system calls.
    public static let system = JournalSyscalls(
        pwrite: { fd, bytes, offset in
            Posix.retryingEINTR { Glibc.pwrite(fd, bytes.baseAddress, bytes.count, off_t(offset)) }
        },
        fdatasync: { fd in
            Posix.retryingEINTR { Int(Glibc.fdatasync(fd)) }.map { _ in () }
        },
        fsync: { fd in
            Posix.retryingEINTR { Int(Glibc.fsync(fd)) }.map { _ in () }
        },
        fallocate: { fd, offset, length in
            var status: Int32
            repeat {
                status = posix_fallocate(fd, off_t(offset), off_t(length))
            } while status == EINTR
            return status == 0 ? .success(()) : .failure(SyscallError(status))
        }
    )
}
