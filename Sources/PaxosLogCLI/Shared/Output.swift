import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Standard output and error, written with write(2) directly: no shared stdio buffers (which Swift
/// 6 rightly calls unsafe across threads), and what the caller hands over is on its way at once,
/// so results stream through pipes promptly and diagnostics never mix into them.
enum Output {
    /// Set by commands whose output is their whole purpose (`tail`): when the reader of standard
    /// output goes away (`tail | head -1`), the process ends at once with status 141, as if by
    /// SIGPIPE (which NIO ignores), instead of reading on for nobody.
    static let endsWhenOutputCloses = Atomic<Bool>(false)

    /// Writes `text` to standard output.
    static func write(_ text: String) {
        writeAll(Array(text.utf8), to: STDOUT_FILENO)
    }

    /// Writes raw bytes to standard output.
    static func write(bytes: [UInt8]) {
        writeAll(bytes, to: STDOUT_FILENO)
    }

    static func line(_ text: String) {
        write(text + "\n")
    }

    /// A progress or diagnostic line on standard error.
    static func note(_ text: String) {
        writeAll(Array((text + "\n").utf8), to: STDERR_FILENO)
    }

    /// Writes raw bytes (a whole log line) to standard error.
    static func writeError(bytes: [UInt8]) {
        writeAll(bytes, to: STDERR_FILENO)
    }

    /// True when standard error is a terminal (progress lines are shown only then).
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    if errno == EPIPE, descriptor == STDOUT_FILENO, endsWhenOutputCloses.load(ordering: .relaxed) {
                        exit(141)
                    }
                    return  // a closed pipe: nobody is reading; the command ends on its own
                }
                offset += written
            }
        }
    }
}
