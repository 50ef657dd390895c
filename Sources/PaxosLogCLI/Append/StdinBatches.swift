import Foundation
import Synchronization

/// Reads standard input on its own thread and hands it out as batches of lines (without their
/// newline), a few chunks ahead of the consumer: a fast producer never fills memory, and the
/// reading never blocks a Swift concurrency thread.
final class StdinBatches: Sendable {
    private struct State {
        var ready: [[[UInt8]]] = []
        var finished = false
        var failure: String?
        var waiter: CheckedContinuation<[[UInt8]]?, Error>?
    }

    private let state = Mutex(State())
    /// Chunks the reader may run ahead. Created at zero and raised to eight: libdispatch aborts
    /// when a semaphore is freed below its initial value, which a finished reader may leave.
    private let space = DispatchSemaphore(value: 0)

    init() {
        for _ in 0..<8 { space.signal() }
        let thread = Thread { [self] in self.readAll() }
        thread.name = "paxoslog-stdin"
        thread.start()
    }

    /// The next batch of lines, or nil at the end of input.
    func next() async throws -> [[UInt8]]? {
        try await withCheckedThrowingContinuation { continuation in
            let immediate = state.withLock { state -> Result<[[UInt8]]?, Error>? in
                if !state.ready.isEmpty { return .success(state.ready.removeFirst()) }
                if let failure = state.failure { return .failure(CLIError("reading standard input: \(failure)")) }
                if state.finished { return .success(nil) }
                state.waiter = continuation
                return nil
            }
            if let immediate {
                if case .success(let batch) = immediate, batch != nil { space.signal() }
                continuation.resume(with: immediate)
            }
        }
    }

    private func deliver(_ batch: [[UInt8]]?, failure: String? = nil) {
        let waiter = state.withLock { state -> (CheckedContinuation<[[UInt8]]?, Error>, Result<[[UInt8]]?, Error>)? in
            if let failure { state.failure = failure }
            if batch == nil { state.finished = true }
            if let waiter = state.waiter {
                state.waiter = nil
                if let failure { return (waiter, .failure(CLIError("reading standard input: \(failure)"))) }
                return (waiter, .success(batch))
            }
            if let batch { state.ready.append(batch) }
            return nil
        }
        if let (continuation, result) = waiter {
            if case .success(let delivered) = result, delivered != nil { space.signal() }
            continuation.resume(with: result)
        }
    }

    private func readAll() {
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        var partial: [UInt8] = []
        while true {
            space.wait()
            let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR {
                    space.signal()
                    continue
                }
                deliver(nil, failure: String(cString: strerror(errno)))
                return
            }
            if count == 0 {
                if !partial.isEmpty {
                    deliver([partial])
                    space.wait()
                }
                deliver(nil)
                return
            }
            var lines: [[UInt8]] = []
            var start = 0
            for index in 0..<count where buffer[index] == UInt8(ascii: "\n") {
                partial.append(contentsOf: buffer[start..<index])
                lines.append(partial)
                partial = []
                start = index + 1
            }
            partial.append(contentsOf: buffer[start..<count])
            if lines.isEmpty {
                space.signal()  // nothing delivered; keep reading into the partial line
            } else {
                deliver(lines)
            }
        }
    }
}
