import ArgumentParser
import Foundation
import PaxosLogClient
import PaxosProtocol
import Synchronization

/// `paxoslog bench cluster`: commits per second and commit latency of a local cluster.
struct ClusterBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Measure a cluster: commits/s, commit latency, entries per fsync, CPU per node.",
        discussion: """
            Uses the cluster in DIR if one is running there, or starts one (and stops it at the \
            end). For each client count C, C concurrent clients each append one entry at a time \
            (each waits for its commit before sending the next) for --seconds; then one streaming \
            append keeps many entries in flight. Reported per step: commits/s, commit latency p50 \
            and p99 (from the client's send to its acknowledgement, which comes only after a \
            majority fsynced), entries per leader fsync, each node's CPU use, the whole \
            machine's busy and stolen CPU time (steal: taken by the hypervisor for other guests; \
            a run with high steal is slow whatever the code does), and the ratio of commits/s to \
            a baseline measured first in the same run: one entry-sized pwrite + fdatasync at a \
            time on the same disk.

            Example:
              paxoslog bench cluster --dir /tmp/bench --clients 1,64 --seconds 5
            """
    )

    @Option(help: "The cluster directory (started here if nothing runs there).")
    var dir: String

    @Option(help: "Nodes, if a cluster must be started.")
    var nodes: Int = 3

    @Option(help: "Comma-separated counts of concurrent one-at-a-time clients.")
    var clients: String = "1,16,64"

    @Option(help: "Entry size in bytes.")
    var size: Int = 100

    @Option(help: "Seconds per client count.")
    var seconds: Double = 5

    @Option(name: .customLong("stream-entries"), help: "Entries in the streaming step (0 to skip it).")
    var streamEntries: Int = 500_000

    @Flag(help: "Print one JSON object with every step.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Also draw the results as an SVG: commits/s and latency against clients, with the disk baseline.",
            valueName: "file.svg"))
    var plot: String?

    @OptionGroup(title: "TLS (for a running cluster reached over TCP)") var tls: ClientTLSOptions

    func validate() throws {
        guard (1...9).contains(nodes), nodes % 2 == 1 else { throw ValidationError("--nodes must be odd, from 1 to 9") }
        guard size >= 1, size <= 4 << 20 else { throw ValidationError("--size must be 1 byte to 4 MiB") }
        guard streamEntries >= 0 else { throw ValidationError("--stream-entries must be 0 (skip) or more") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        let fields = clients.split(separator: ",", omittingEmptySubsequences: false)
        guard !fields.isEmpty, fields.count == clientCounts.count,
            clientCounts.allSatisfy({ $0 >= 1 && $0 <= 4096 })
        else {
            throw ValidationError("--clients must be a comma-separated list of counts from 1 to 4096")
        }
    }

    var clientCounts: [Int] {
        clients.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    func run() async throws {
        let directory = URL(fileURLWithPath: dir).standardizedFileURL.path
        let startedHere = try await ensureCluster(in: directory)
        do {
            try await measure(in: directory)
        } catch {
            if startedHere { await stopCluster(in: directory) }
            throw error
        }
        if startedHere { await stopCluster(in: directory) }
    }

    /// Every step against the cluster running in `directory`, then the report.
    private func measure(in directory: String) async throws {
        var description = try ClusterDescription.load(from: directory)
        try tls.apply(to: &description)
        let probe = ClusterProbe(description: description, directory: directory)
        try await warmUp(description)

        // The same-run baseline: what this disk gives one writer with no cluster and no journal,
        // one entry-sized pwrite + fdatasync at a time, in the cluster's own directory.
        progress("baseline: one \(size)-byte pwrite + fdatasync at a time, 2 s ...")
        let baselinePath = directory + "/bench-baseline-\(getpid()).dat"
        let entryBytes = size
        let baseline = try await BenchThread.run { () throws(CLIError) in
            try BenchDiskBaseline.run(
                path: baselinePath, kind: "record", writeSize: entryBytes, fileSize: 64 << 20, seconds: 2)
        }

        var steps: [ClusterBenchStep] = []
        for count in clientCounts {
            progress("\(count) client\(count == 1 ? "" : "s"), one append at a time, \(seconds) s ...")
            steps.append(try await measureClients(count, description: description, probe: probe))
        }
        if streamEntries > 0 {
            progress("one streaming append of \(streamEntries) entries ...")
            steps.append(try await measureStream(description: description, probe: probe))
        }
        report(steps, nodes: description.nodes.count, baseline: baseline)
        if let plot {
            try BenchPlot.cluster(steps, nodes: description.nodes.count, entryBytes: size, baseline: baseline)
                .write(to: plot)
        }
    }

    // MARK: - Steps

    private func measureClients(_ count: Int, description: ClusterDescription, probe: ClusterProbe) async throws
        -> ClusterBenchStep
    {
        let before = await probe.sample()
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int64(seconds * 1000))
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        let results = try await withThrowingTaskGroup(of: (Int, BenchLatency).self) { group in
            for _ in 0..<count {
                group.addTask {
                    let session = PaxosLogClient(cluster: description).openSession(timeout: .seconds(30))
                    var latency = BenchLatency()
                    var commits = 0
                    while ContinuousClock.now < deadline {
                        let sent = ContinuousClock.now
                        _ = try await session.append(payload)
                        latency.record(ContinuousClock.now - sent)
                        commits += 1
                    }
                    await session.close()
                    return (commits, latency)
                }
            }
            var total = 0
            var merged = BenchLatency()
            for try await (commits, latency) in group {
                total += commits
                merged.add(latency)
            }
            return (total, merged)
        }
        let elapsed = ContinuousClock.now - start
        let after = await probe.sample()
        return ClusterBenchStep(
            name: "\(count) client\(count == 1 ? "" : "s")", clients: count, commits: results.0, elapsed: elapsed,
            latency: results.1, before: before, after: after)
    }

    private func measureStream(description: ClusterDescription, probe: ClusterProbe) async throws -> ClusterBenchStep {
        let client = PaxosLogClient(cluster: description)
        let payload = [UInt8](repeating: UInt8(ascii: "s"), count: size)
        let total = streamEntries
        let source = StreamSource(total: total, payload: payload)
        let before = await probe.sample()
        let start = ContinuousClock.now
        let report = try await client.appendStream(timeout: .seconds(60)) {
            source.next()
        } onCommitted: { _ in
        }
        let elapsed = ContinuousClock.now - start
        let after = await probe.sample()
        guard report.unconfirmed == 0 else {
            throw CLIError("the streaming step left \(report.unconfirmed) entries unconfirmed")
        }
        return ClusterBenchStep(
            name: "1 streaming append", clients: 1, commits: report.committed, elapsed: elapsed, latency: nil,
            before: before, after: after)
    }

    /// A few appends so connections, journals and the leader are settled before measuring.
    private func warmUp(_ description: ClusterDescription) async throws {
        let client = PaxosLogClient(cluster: description)
        _ = try await client.append(contentsOf: (0..<100).map { _ in Array("warm-up".utf8) }, timeout: .seconds(30))
    }

    // MARK: - Output

    private func report(_ steps: [ClusterBenchStep], nodes: Int, baseline: BenchBaselineResult) {
        if json {
            let objects = steps.map { step -> [String: Any] in
                var object = step.jsonObject
                object["ratio_to_disk_fsyncs"] = step.commitsPerSecond / max(baseline.fsyncsPerSecond, 1)
                return object
            }
            let document: [String: Any] = [
                "entry_bytes": size, "nodes": nodes, "steps": objects,
                "baseline": [
                    "method": "one entry-sized pwrite + fdatasync at a time on the same disk, same run",
                    "fsyncs_per_second": baseline.fsyncsPerSecond, "p50_ms": baseline.p50Microseconds / 1000,
                    "p99_ms": baseline.p99Microseconds / 1000,
                ],
                "method": "each commit is acknowledged only after a majority fsynced it; latency from send to ack",
            ]
            if let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) {
                Output.line(String(decoding: data, as: UTF8.self))
            }
            return
        }
        Output.line(
            "paxoslog bench cluster: \(nodes) nodes, \(size)-byte entries; a commit is acknowledged only after a majority fsynced it"
        )
        Output.line(
            String(
                format: "baseline (same disk, same run): one %d-byte pwrite + fdatasync at a time: "
                    + "%.0f/s, p50 %.2f ms, p99 %.2f ms",
                size, baseline.fsyncsPerSecond, baseline.p50Microseconds / 1000, baseline.p99Microseconds / 1000))
        Output.line(
            [
                "step".padding(toLength: 20, withPad: " ", startingAt: 0), " commits/s", "  p50 ms", "  p99 ms",
                "  entries/fsync", " x disk", "host busy", " steal", "CPU per node",
            ].joined(separator: "  "))
        for step in steps {
            let columns = [
                step.name.padding(toLength: 20, withPad: " ", startingAt: 0),
                String(format: "%10.0f", step.commitsPerSecond),
                step.latency.map { String(format: "%8.2f", $0.microseconds(atPercentile: 50) / 1000) } ?? "       -",
                step.latency.map { String(format: "%8.2f", $0.microseconds(atPercentile: 99) / 1000) } ?? "       -",
                String(format: "%15.1f", step.entriesPerFsync),
                String(format: "%7.2f", step.commitsPerSecond / max(baseline.fsyncsPerSecond, 1)),
                String(format: "%8.0f%%", step.host.busy), String(format: "%5.1f%%", step.host.steal),
                step.cpuPerNode.map { String(format: "%.0f%%", $0) }.joined(separator: " "),
            ]
            Output.line(columns.joined(separator: "  "))
        }
    }

    private func progress(_ text: String) {
        if Output.stderrIsTerminal { Output.note(text) }
    }

    // MARK: - Cluster life cycle

    /// Starts a cluster in `directory` unless one answers there; returns true if it started one.
    private func ensureCluster(in directory: String) async throws -> Bool {
        if var description = try? ClusterDescription.load(from: directory) {
            try tls.apply(to: &description)
            let client = PaxosLogClient(cluster: description)
            for node in description.nodes {
                if (try? await client.status(of: node.id, timeout: .milliseconds(500))) != nil { return false }
            }
        }
        try await runSelf(["cluster", "start", "--dir", directory, "--nodes", "\(nodes)"])
        return true
    }

    private func stopCluster(in directory: String) async {
        try? await runSelf(["cluster", "stop", "--dir", directory])
    }

    /// Runs `paxoslog ARGUMENTS` and waits for it on a thread of its own (waiting blocks).
    private func runSelf(_ arguments: [String]) async throws(CLIError) {
        try await BenchThread.run { () throws(CLIError) in try Self.runSelfBlocking(arguments) }
    }

    private static func runSelfBlocking(_ arguments: [String]) throws(CLIError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessLauncher.currentExecutable())
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw CLIError("cannot run 'paxoslog \(arguments.joined(separator: " "))': \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLIError(
                "'paxoslog \(arguments.joined(separator: " "))' failed with status \(process.terminationStatus)")
        }
    }
}

/// Entries for the streaming step, handed out in batches.
private final class StreamSource: Sendable {
    private let remaining: Mutex<Int>
    private let payload: [UInt8]

    init(total: Int, payload: [UInt8]) {
        remaining = Mutex(total)
        self.payload = payload
    }

    func next() -> [[UInt8]]? {
        let count = remaining.withLock { left -> Int in
            let take = min(left, 4096)
            left -= take
            return take
        }
        return count == 0 ? nil : Array(repeating: payload, count: count)
    }
}
