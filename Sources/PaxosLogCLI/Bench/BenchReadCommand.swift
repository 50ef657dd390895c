import ArgumentParser
import Foundation
import PaxosLogClient

/// `paxoslog bench read`: how fast a running cluster serves its log.
struct BenchReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Measure reads of a running cluster: first entry from a random index, and a full read.",
        discussion: """
            With the client library in this process (no process start in the figures): --samples \
            times, the time from asking for the log from a random index between the first and the \
            last to holding its first entry (a linearizable read: through the leader, after its \
            heartbeat round), as p50, p99 and max; then one read of the whole log, as entries/s and \
            MB/s. The log must already hold entries (paxoslog append).

            Example:
              paxoslog bench read --cluster /tmp/demo --samples 200
            """
    )

    @Option(help: "The cluster: a directory of 'cluster start --dir', or a cluster file of 'cluster init'.")
    var cluster: String

    @Option(help: "Random-index reads to time.")
    var samples: Int = 100

    @Flag(name: .customLong("skip-full"), help: "Do not time a read of the whole log.")
    var skipFull = false

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup(title: "TLS (for nodes reached over TCP)") var tls: ClientTLSOptions

    func validate() throws {
        guard samples >= 1 else { throw ValidationError("--samples must be 1 or more") }
    }

    /// Thrown from the entry callback to stop a read at its first entry.
    struct FirstEntryReached: Error {}

    func run() async throws {
        let client = try tls.client(of: cluster)
        let (first, last) = try await logBounds(client)
        guard last >= first else { throw CLIError("the log in \(cluster) holds no entry: append some first") }

        var latencies: [Double] = []
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<samples {
            let index = UInt64.random(in: first...last, using: &generator)
            let started = ContinuousClock.now
            do {
                try await client.tail(from: index, follow: false) { _ in throw FirstEntryReached() }
                throw CLIError("no entry at \(index)")
            } catch is FirstEntryReached {
                latencies.append(Self.milliseconds(ContinuousClock.now - started))
            }
        }
        latencies.sort()
        var report: [String: Double] = [
            "first_entry_p50_ms": Self.percentile(latencies, 0.50),
            "first_entry_p99_ms": Self.percentile(latencies, 0.99),
            "first_entry_max_ms": latencies.last ?? 0, "entries": Double(last - first + 1),
        ]
        if !skipFull {
            var entries = 0
            var bytes = 0
            let started = ContinuousClock.now
            try await client.tail(from: first, follow: false) { batch in
                entries += batch.count
                for entry in batch { bytes += entry.data.count }
            }
            let seconds = Self.milliseconds(ContinuousClock.now - started) / 1000
            report["full_read_entries_per_second"] = Double(entries) / seconds
            report["full_read_mb_per_second"] = Double(bytes) / seconds / 1e6
            report["full_read_seconds"] = seconds
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            Output.line(String(decoding: data, as: UTF8.self))
            return
        }
        Output.line("log: \(last - first + 1) entries (\(first)...\(last))")
        Output.line(
            String(
                format: "first entry from a random index (%d reads): p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                samples, report["first_entry_p50_ms"] ?? 0, report["first_entry_p99_ms"] ?? 0,
                report["first_entry_max_ms"] ?? 0))
        if let rate = report["full_read_entries_per_second"] {
            Output.line(
                String(
                    format: "full read: %.0f entries/s, %.1f MB/s (%.2f s)", rate,
                    report["full_read_mb_per_second"] ?? 0, report["full_read_seconds"] ?? 0))
        }
    }

    /// The first and last index, as the nodes report them.
    private func logBounds(_ client: PaxosLogClient) async throws -> (UInt64, UInt64) {
        var lastError = "no node answered"
        for node in client.cluster.nodes {
            do {
                let status = try await client.status(of: node.id)
                return (status.firstIndex ?? 1, status.commitIndex)
            } catch {
                lastError = "node \(node.id): \(error)"
            }
        }
        throw CLIError("cannot ask the cluster in \(cluster) for its log: \(lastError)")
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction + 0.5))]
    }
}
