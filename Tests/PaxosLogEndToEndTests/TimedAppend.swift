import Foundation
import PaxosTestSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `paxoslog append` fed lines (`line 1`, `line 2`, ...) from standard input at a steady pace, with
/// the time each line went in and each index came out: for measuring how long appends stall when
/// something fails mid-stream. It feeds until told how many more lines to write (``finish(after:)``),
/// so a test that is scheduled late still has lines written after the failure it causes.
final class TimedAppend: Sendable {
    struct Result: Sendable {
        var status: Int32
        var stderr: String
        /// The lines written to the command's standard input, in order.
        var lines: [String]
        /// When each line was written.
        var written: [ContinuousClock.Instant]
        /// Each output line (an index), in order, and when it was read.
        var printed: [(line: String, at: ContinuousClock.Instant)]
    }

    private let written = Recorder<ContinuousClock.Instant>()
    private let printed = Recorder<(line: String, at: ContinuousClock.Instant)>()
    /// Lines still to write once ``finish(after:)`` was called; nil until then.
    private let remaining = Mutex<Int?>(nil)
    private let outcome = Mutex<(status: Int32, stderr: String)?>(nil)
    private let done = DispatchGroup()

    /// Starts `paxoslog ARGS`, writing batches of `batch` lines with `pause` between them, up to
    /// `limit` lines in all. Killed after `timeout` seconds.
    ///
    /// - Parameter launcher: a command line that runs the binary (`ip netns exec NS`), or none.
    static func start(
        _ arguments: [String], launcher: [String] = [], batch: Int, pause: Duration, limit: Int = 200_000,
        timeout: Double = 120
    ) throws -> TimedAppend {
        let binary = try PaxosBinary.path()
        let command = launcher + [binary] + arguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let (output, errors, input) = (Pipe(), Pipe(), Pipe())
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { kill(pid, SIGKILL) }
        let run = TimedAppend()
        let writer = input.fileHandleForWriting
        let seconds = Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18
        Thread.detachNewThread {
            var next = 1
            while next <= limit, run.remaining.withLock({ $0 ?? 1 }) > 0 {
                let count = min(batch, limit - next + 1, run.remaining.withLock { $0 ?? batch })
                let text = (next..<(next + count)).map { "line \($0)\n" }.joined()
                guard (try? writer.write(contentsOf: Data(text.utf8))) != nil else { break }
                run.written.append(contentsOf: Array(repeating: ContinuousClock.now, count: count))
                run.remaining.withLock { $0 = $0.map { $0 - count } }
                next += count
                Thread.sleep(forTimeInterval: seconds)
            }
            try? writer.close()
        }
        let errorHandle = errors.fileHandleForReading
        let stderr = Recorder<UInt8>()
        run.done.enter()
        Thread.detachNewThread {
            stderr.append(contentsOf: Array(errorHandle.readDataToEndOfFile()))
            run.done.leave()
        }
        run.done.enter()
        let reader = output.fileHandleForReading
        Thread.detachNewThread {
            var partial: [UInt8] = []
            while case let data = reader.availableData, !data.isEmpty {
                let now = ContinuousClock.now
                partial += data
                var lines: [(line: String, at: ContinuousClock.Instant)] = []
                while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                    lines.append((String(decoding: partial[..<newline], as: UTF8.self), now))
                    partial.removeSubrange(...newline)
                }
                run.printed.append(contentsOf: lines)
            }
            process.waitUntilExit()
            run.outcome.withLock {
                $0 = (process.terminationStatus, String(decoding: stderr.values, as: UTF8.self))
            }
            run.done.leave()
        }
        return run
    }

    /// How many indexes were printed so far.
    var printedCount: Int { printed.values.count }

    /// When the first line written after `instant` was acknowledged, if it was yet.
    func firstAcknowledgement(ofLineWrittenAfter instant: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        let written = self.written.values
        let printed = self.printed.values
        guard let first = written.firstIndex(where: { $0 > instant }), first < printed.count else { return nil }
        return printed[first].at
    }

    /// Writes `count` more lines, then closes standard input.
    func finish(after count: Int) {
        remaining.withLock { $0 = count }
    }

    /// Waits for the command to exit.
    func result() async throws -> Result {
        try await PaxosBinary.onDedicatedThread { self.done.wait() }
        let (status, stderr) = outcome.withLock { $0 } ?? (-1, "")
        let written = self.written.values
        return Result(
            status: status, stderr: stderr, lines: (0..<written.count).map { "line \($0 + 1)" },
            written: written, printed: printed.values)
    }
}

/// Values appended from several threads.
final class Recorder<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])

    func append(contentsOf values: [Value]) { storage.withLock { $0 += values } }

    var values: [Value] { storage.withLock { $0 } }
}
