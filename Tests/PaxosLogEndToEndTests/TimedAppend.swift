import Foundation
import PaxosTestSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `paxoslog append` fed from standard input at a steady pace, with the time each line went in and
/// each index came out: for measuring how long appends stall when something fails mid-stream.
enum TimedAppend {
    struct Result: Sendable {
        var status: Int32
        var stderr: String
        /// When each input line was written to the command's standard input.
        var written: [ContinuousClock.Instant]
        /// Each output line (an index), in order, and when it was read.
        var printed: [(line: String, at: ContinuousClock.Instant)]
    }

    /// Runs `paxoslog ARGS`, writing `lines` in batches of `batch` with `pause` between batches,
    /// and reads its output as it comes. Killed after `timeout` seconds.
    static func run(
        _ arguments: [String], lines: [String], batch: Int, pause: Duration, timeout: Double = 120
    ) async throws -> Result {
        let binary = try PaxosBinary.path()
        return try await PaxosBinary.onDedicatedThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            let (output, errors, input) = (Pipe(), Pipe(), Pipe())
            process.standardOutput = output
            process.standardError = errors
            process.standardInput = input
            try process.run()
            let pid = process.processIdentifier
            let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
            defer { watchdog.cancel() }

            let written = Recorder<ContinuousClock.Instant>()
            let done = DispatchGroup()
            let writer = input.fileHandleForWriting
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                for start in stride(from: 0, to: lines.count, by: batch) {
                    let chunk = lines[start..<min(start + batch, lines.count)]
                    guard (try? writer.write(contentsOf: Data((chunk.joined(separator: "\n") + "\n").utf8))) != nil
                    else { break }
                    let now = ContinuousClock.now
                    written.append(contentsOf: Array(repeating: now, count: chunk.count))
                    Thread.sleep(
                        forTimeInterval: Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18)
                }
                try? writer.close()
            }
            let stderr = Recorder<UInt8>()
            let errorHandle = errors.fileHandleForReading
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                stderr.append(contentsOf: Array(errorHandle.readDataToEndOfFile()))
            }
            var printed: [(line: String, at: ContinuousClock.Instant)] = []
            var partial: [UInt8] = []
            let reader = output.fileHandleForReading
            while case let data = reader.availableData, !data.isEmpty {
                let now = ContinuousClock.now
                partial += data
                while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                    printed.append((String(decoding: partial[..<newline], as: UTF8.self), now))
                    partial.removeSubrange(...newline)
                }
            }
            process.waitUntilExit()
            done.wait()
            return Result(
                status: process.terminationStatus, stderr: String(decoding: stderr.values, as: UTF8.self),
                written: written.values, printed: printed)
        }
    }
}

/// Values appended from several threads.
final class Recorder<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])

    func append(contentsOf values: [Value]) { storage.withLock { $0 += values } }

    var values: [Value] { storage.withLock { $0 } }
}
