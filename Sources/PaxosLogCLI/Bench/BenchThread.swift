import Foundation

/// Runs blocking disk loops on a thread of their own, never on the Swift concurrency pool (whose
/// few threads the journal's appenders need while a baseline blocks in fdatasync).
enum BenchThread {
    /// Runs `body` on a new thread and returns its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws(CLIError) -> T) async throws(CLIError) -> T {
        let result: Result<T, CLIError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Result { () throws(CLIError) -> T in try body() })
            }
            thread.name = "paxoslog-bench"
            thread.start()
        }
        return try result.get()
    }
}
