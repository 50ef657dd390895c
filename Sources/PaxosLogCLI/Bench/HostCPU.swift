import Foundation

/// The whole machine's CPU time from `/proc/stat`, to tell a slow run from a slow host: `busy` is
/// what every process used, `steal` what the hypervisor gave to other guests (on a shared virtual
/// machine a run with high steal is slow in every step, whatever the code does).
struct HostCPU {
    /// Jiffies since boot, summed over all CPUs.
    var total: UInt64 = 0
    var idle: UInt64 = 0
    var steal: UInt64 = 0

    /// The current counters, or zeros where `/proc/stat` cannot be read.
    static func now() -> HostCPU {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first, line.hasPrefix("cpu ")
        else { return HostCPU() }
        // cpu user nice system idle iowait irq softirq steal guest guest_nice
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 8 else { return HostCPU() }
        return HostCPU(total: fields[0..<8].reduce(0, +), idle: fields[3] + fields[4], steal: fields[7])
    }

    /// Percent of the machine's CPU time between `self` and `later` that was busy (not idle or
    /// waiting for I/O, steal included), and that was stolen.
    func percentages(until later: HostCPU) -> (busy: Double, steal: Double) {
        let total = Double(later.total &- self.total)
        guard total > 0 else { return (0, 0) }
        let idle = Double(later.idle &- self.idle)
        return (100 * (total - idle) / total, 100 * Double(later.steal &- self.steal) / total)
    }
}
