import Foundation
import PaxosTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A `paxoslog` command left running (`tail --follow`), its output lines collected as they come.
final class BackgroundCommand: Sendable {
    private let process: Process
    /// Output lines so far, in order.
    let lines = Recorder<String>()

    private init(process: Process) {
        self.process = process
    }

    /// Starts `paxoslog ARGS` with standard input from /dev/null and standard error discarded.
    static func start(_ arguments: [String]) throws -> BackgroundCommand {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try PaxosBinary.path())
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let command = BackgroundCommand(process: process)
        let reader = output.fileHandleForReading
        Thread.detachNewThread {
            var partial: [UInt8] = []
            while case let data = reader.availableData, !data.isEmpty {
                partial += data
                while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                    command.lines.append(contentsOf: [String(decoding: partial[..<newline], as: UTF8.self)])
                    partial.removeSubrange(...newline)
                }
            }
        }
        return command
    }

    /// Waits until at least `count` lines were printed, or `seconds` passed; whether they were.
    func waitForLines(_ count: Int, within seconds: Double) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while lines.values.count < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return lines.values.count >= count
    }

    /// SIGKILL, and waits for the process to end.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
