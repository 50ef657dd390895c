import PaxosJournal

/// Why the log store could not be opened, written or read.
public struct LogStoreError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable {
        /// The journal beneath failed (I/O, checksum, lock): see `journalError`.
        case journal
        /// A record is not the slot its position says, or its indexes do not follow the previous slot's.
        case inconsistent
        /// The entry or slot asked for is not in the store.
        case notFound
        /// The store ends before the slot its node's checkpoint says it synced: it lost slots it
        /// had on disk (a disk that dropped writes, or damage in its last frames taken for a torn
        /// tail).
        case behindCheckpoint
    }

    public var code: Code
    public var message: String
    public var journalError: JournalError?

    public init(_ code: Code, _ message: String, journalError: JournalError? = nil) {
        self.code = code
        self.message = message
        self.journalError = journalError
    }

    init(_ error: JournalError) {
        self.init(.journal, "\(error)", journalError: error)
    }

    public var description: String { "paxoslog log store: \(message)" }
}
