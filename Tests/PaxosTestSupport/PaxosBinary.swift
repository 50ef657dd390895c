import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Finds and runs the `paxoslog` executable that `swift build --build-tests` put next to the tests.
public enum PaxosBinary {
    /// The binary's path: `PAXOSLOG_BINARY`, or `paxoslog` beside the test bundle.
    public static func path() throws -> String {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["PAXOSLOG_BINARY"] { candidates.append(explicit) }
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(here.deletingLastPathComponent().appendingPathComponent("paxoslog").path)
        if let bundle = Bundle.main.executableURL {
            candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("paxoslog").path)
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw CocoaError(
                .fileNoSuchFile,
                userInfo: [
                    NSLocalizedDescriptionKey:
                        "paxoslog binary not found (looked at \(candidates)); build with --build-tests or set PAXOSLOG_BINARY"
                ])
        }
        return found
    }

    /// What a finished command printed and how it exited.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var stdoutLines: [String] {
            stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
    }

    /// Runs `paxoslog ARGS` to completion, feeding `stdin`, on its own thread (never blocking the
    /// Swift concurrency pool).
    /// `binary` runs another copy of the executable (a renamed one, say) instead of `path()`.
    public static func run(
        _ arguments: [String], stdin: Data? = nil, timeout: Double = 120, binary: String? = nil
    ) async throws -> Result {
        let binary = try binary ?? path()
        return try await onDedicatedThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            let output = Pipe()
            let errors = Pipe()
            let input = Pipe()
            process.standardOutput = output
            process.standardError = errors
            process.standardInput = stdin == nil ? FileHandle.nullDevice : input
            try process.run()
            // A hung command must fail its test, not hang the whole run.
            let pid = process.processIdentifier
            let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
            defer { watchdog.cancel() }
            // Read both pipes while the child runs, so a full pipe cannot deadlock it.
            let errorReader = Thread.detachedReader(errors.fileHandleForReading)
            if let stdin {
                let writer = input.fileHandleForWriting
                Thread.detachNewThread {
                    try? writer.write(contentsOf: stdin)
                    try? writer.close()
                }
            }
            let stdoutData = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let stderrData = errorReader.wait()
            return Result(
                status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                stderr: String(decoding: stderrData, as: UTF8.self))
        }
    }

    /// Runs blocking work on a thread of its own.
    public static func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result { try body() })
            }
        }
    }
}

extension Thread {
    /// Reads a file handle to its end on a new thread; `wait()` returns the bytes.
    static func detachedReader(_ handle: FileHandle) -> PendingData {
        let pending = PendingData()
        Thread.detachNewThread {
            pending.complete(handle.readDataToEndOfFile())
        }
        return pending
    }
}

/// Bytes that another thread is still reading.
final class PendingData: Sendable {
    private let condition = NSCondition()
    private nonisolated(unsafe) var data: Data?

    // `data` is only touched while `condition` is locked, which makes the class safe to share.
    func complete(_ value: Data) {
        condition.lock()
        data = value
        condition.signal()
        condition.unlock()
    }

    func wait() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while data == nil { condition.wait() }
        return data ?? Data()
    }
}
