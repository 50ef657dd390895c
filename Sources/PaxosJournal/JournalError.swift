/// Everything that can go wrong in the journal, with where it happened and what to do about it.
///
/// One error type for the whole layer (like swift-nio's `FileSystemError`): a code to switch on and
/// the context a person needs — the file, the byte offset, expected versus found, the errno.
public struct JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; callers decide on this, people read the message.
    public enum Code: String, Sendable, Equatable {
        /// Another open journal (in this or another process) holds the directory's lock.
        case locked
        /// The files are damaged somewhere a crash cannot explain; nothing was truncated.
        case corrupt
        /// A system call failed.
        case io
        /// The disk is full; raised when a segment is created, never mid-batch.
        case noSpace
        /// The journal was closed.
        case closed
        /// fdatasync failed or a write was short. Final: the journal must be reopened.
        case fsyncFailed
        /// A segment was written by a format version this library does not read.
        case unsupportedVersion
        /// The caller passed something unusable (empty batch, oversized record, bad option).
        case invalidArgument
        /// The requested sequence number is not in the journal.
        case notFound
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong, in words a user can act on.
    public var message: String
    /// The file concerned, if any.
    public var path: String?
    /// The byte offset within `path`, if the failure has a position.
    public var offset: Int64?
    /// The errno of the failed system call, if any.
    public var errno: Int32?

    public init(_ code: Code, _ message: String, path: String? = nil, offset: Int64? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.offset = offset
        self.errno = errno
    }

    /// For example `paxoslog journal: /x/00000000000000000001.seg at offset 4096: frame checksum mismatch`.
    public var description: String {
        var text = "paxoslog journal: "
        if let path { text += path }
        if let offset { text += " at offset \(offset)" }
        if path != nil || offset != nil { text += ": " }
        text += message
        if let errno { text += " (errno \(errno): \(SyscallError(errno).name))" }
        return text
    }
}
