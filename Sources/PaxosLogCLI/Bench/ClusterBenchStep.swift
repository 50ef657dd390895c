import Foundation

/// One measured step of `bench cluster`.
struct ClusterBenchStep {
    var name: String
    var clients: Int
    var commits: Int
    var elapsed: Duration
    var latency: BenchLatency?
    var before: ClusterProbe.Sample
    var after: ClusterProbe.Sample

    var seconds: Double {
        let (whole, attoseconds) = elapsed.components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    var commitsPerSecond: Double { seconds > 0 ? Double(commits) / seconds : 0 }

    /// Entries committed per fsync of the leader's journal during the step.
    var entriesPerFsync: Double {
        let fsyncs = after.leaderFsyncs - before.leaderFsyncs
        return fsyncs > 0 ? Double(commits) / Double(fsyncs) : 0
    }

    /// Each node's CPU use during the step, in percent of one core.
    var cpuPerNode: [Double] {
        after.cpuSeconds.keys.sorted().map { id in
            let used = (after.cpuSeconds[id] ?? 0) - (before.cpuSeconds[id] ?? 0)
            return seconds > 0 ? 100 * used / seconds : 0
        }
    }

    /// The whole machine during the step: percent busy and percent stolen by the hypervisor.
    var host: (busy: Double, steal: Double) { before.host.percentages(until: after.host) }

    var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "step": name, "clients": clients, "commits": commits, "seconds": seconds,
            "commits_per_second": commitsPerSecond, "entries_per_fsync": entriesPerFsync,
            "cpu_percent_per_node": cpuPerNode, "host_busy_percent": host.busy, "host_steal_percent": host.steal,
        ]
        if let latency {
            object["p50_ms"] = latency.microseconds(atPercentile: 50) / 1000
            object["p99_ms"] = latency.microseconds(atPercentile: 99) / 1000
        }
        return object
    }
}
