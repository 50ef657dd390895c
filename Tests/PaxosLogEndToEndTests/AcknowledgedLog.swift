import Foundation
import PaxosLogClient
import PaxosTestSupport

/// Checks a node's log against what `append` acknowledged: each input line at the index printed
/// for it, every index once, in input order (one `append` is one stream, and the log keeps a
/// stream's order even when the leader dies with several of its batches in flight), nothing else
/// in the log.
enum AcknowledgedLog {
    /// What is wrong with `entries` (the log from `firstIndex` on, as `tail` prints the entries),
    /// given the `lines` appended and the `acknowledged` indexes `append` printed; nil when nothing.
    static func problem(
        entries: [String], from firstIndex: UInt64 = 1, lines: [String], acknowledged: [String]
    ) -> String? {
        let indexes = acknowledged.compactMap(UInt64.init)
        guard indexes.count == lines.count else {
            return "\(indexes.count) indexes acknowledged for \(lines.count) lines"
        }
        if let wrong = indexes.enumerated().first(where: { $0.element != UInt64($0.offset + 1) }) {
            return "line \(wrong.offset + 1) was acknowledged at index \(wrong.element): not in input order"
        }
        let held = lines.count - Int(firstIndex) + 1
        guard entries.count == held else {
            return "the log holds \(entries.count) entries from index \(firstIndex), expected \(held)"
        }
        for (line, index) in zip(lines, indexes) where index >= firstIndex {
            let entry = entries[Int(index - firstIndex)]
            guard entry == line else {
                return "index \(index) holds '\(entry.prefix(40))', acknowledged for '\(line.prefix(40))'"
            }
        }
        return nil
    }
}

extension LocalCluster {
    /// Streams `lines` through one `append` while six times, 150-400 ms apart, `beforeKill` runs
    /// and then a node is killed with SIGKILL and started again (each node in turn). Returns the
    /// `append` once it has acknowledged every line; fails the test otherwise.
    func streamWhileKilling(
        _ lines: [String], beforeKill: (Int) async throws -> Void = { _ in }
    ) async throws -> PaxosBinary.Result {
        var generator = SystemRandomNumberGenerator()
        async let streaming = run(
            ["append", "--cluster", dir, "--timeout", "120"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        let nodes = try description.nodes.map(\.id)
        for round in 1...6 {
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...400, using: &generator)))
            try await beforeKill(round)
            let victim = nodes[round % nodes.count]
            try await kill9(victim)
            try restart(victim)
        }
        let result = try await streaming
        guard result.status == 0, result.stdoutLines.count == lines.count else {
            throw ClientError(
                "append exited \(result.status) with \(result.stdoutLines.count) of \(lines.count) lines acknowledged: "
                    + "\(result.stderr)\n\(Self.logs(dir))")
        }
        return result
    }

    /// What is wrong with any node's log from `firstIndex` on against what `append` acknowledged
    /// (`AcknowledgedLog.problem`), once each node holds it or a minute has passed; nil when none.
    func acknowledgedLogProblem(
        lines: [String], acknowledged: [String], from firstIndex: UInt64 = 1
    ) async throws -> String? {
        for node in try description.nodes.map(\.id) {
            let local = try await localLog(of: node, count: lines.count - Int(firstIndex) + 1)
            let entries = local.map { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? "" }
            // The first problem, not the arrays: 60,000 lines would bury the reason.
            if let problem = AcknowledgedLog.problem(
                entries: entries, from: firstIndex, lines: lines, acknowledged: acknowledged)
            {
                return "node \(node): \(problem)\n\(Self.logs(dir))"
            }
        }
        return nil
    }
}
