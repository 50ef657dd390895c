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
}
