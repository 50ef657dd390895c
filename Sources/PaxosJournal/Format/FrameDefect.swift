/// Why bytes at some offset are not a valid frame, in words for an error message.
///
/// A plain value rather than a ``JournalError`` because the scanner decides only later whether the
/// defect is a harmless torn tail or corruption.
struct FrameDefect: Error, Sendable, Equatable {
    /// What was expected and what was found.
    var message: String

    init(_ message: String) { self.message = message }
}
