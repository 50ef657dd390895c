import Foundation
import PaxosLogClient

/// Reads the cluster's counters around a benchmark step: the leader's fsync count (from its
/// status), each node's CPU time (from /proc, by the pid files) and the whole machine's.
struct ClusterProbe {
    struct Sample {
        var leaderFsyncs: UInt64 = 0
        var cpuSeconds: [UInt32: Double] = [:]
        var host = HostCPU()
    }

    let description: ClusterDescription
    let directory: String

    func sample() async -> Sample {
        var sample = Sample()
        let client = PaxosLogClient(cluster: description)
        for node in description.nodes {
            if let status = try? await client.status(of: node.id, timeout: .seconds(2)), status.role == "leader" {
                sample.leaderFsyncs = status.fsyncs
            }
            if let pid = PidFile.read(directory + "/node-\(node.id).pid") {
                sample.cpuSeconds[node.id] = Self.cpuSeconds(of: pid)
            }
        }
        sample.host = HostCPU.now()
        return sample
    }

    /// utime + stime of `pid`, in seconds.
    static func cpuSeconds(of pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based) of the whole line.
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user + system) / ticks
    }
}
