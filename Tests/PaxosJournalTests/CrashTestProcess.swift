import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A `paxoslog debug-journal-append` child process the crash tests can SIGKILL at any moment.
final class CrashTestProcess {
    let process = Process()
    private let stdout = Pipe()
    private let stderr = Pipe()
    private var killed = false

    /// The child's pid.
    var pid: Int32 { process.processIdentifier }

    init(binary: String, directory: String, run: UInt32, codec: String = "lz4", segmentSize: Int = 64 << 10) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "debug-journal-append", "--dir", directory, "--codec", codec, "--segment-size", String(segmentSize),
            "--run", String(run), "--appenders", "4",
        ]
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
    }

    /// Blocks until the child printed something (its first durable append) or exited.
    func waitForOutput() -> Data {
        stdout.fileHandleForReading.availableData
    }

    /// SIGKILLs the child (once) and reaps it.
    func kill() {
        guard !killed else { return }
        killed = true
        if process.isRunning { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Everything the child wrote after what was already read, once it is dead.
    func remainingOutput() -> (stdout: Data, stderr: Data) {
        (stdout.fileHandleForReading.readDataToEndOfFile(), stderr.fileHandleForReading.readDataToEndOfFile())
    }

    /// The `paxoslog` executable built next to this test bundle, or `PAXOSLOG_BINARY`.
    static func binary() throws -> String {
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

    /// Runs blocking work (process waits, sleeps) on its own thread, not the Swift concurrency pool,
    /// so it cannot starve the tests running beside it.
    static func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.start()
        }
    }
}
