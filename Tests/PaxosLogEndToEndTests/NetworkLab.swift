import Foundation
import PaxosLogClient

#if canImport(Glibc)
    import Glibc
#endif

/// Hosts made of network namespaces, on a bridge that lives in a namespace of its own: every
/// interface, address and firewall rule the test makes is inside namespaces it created, none in
/// the machine's own, and deleting the namespaces removes all of it (``destroy()``, which the
/// caller runs on failure too). Faults are iptables drops inside a host's namespace.
struct NetworkLab {
    /// Namespace names start with this (unique per lab, at most 15 characters with a host name).
    let prefix: String
    /// The /24 the hosts share, as its first three octets.
    let subnet: String
    /// Host name → last octet of its address.
    let hosts: [String: Int]
    let ip: String
    let iptables: String

    /// Why the lab cannot run here (not root, no `ip` or `iptables`), or nil.
    static func unavailableReason() -> String? {
        guard geteuid() == 0 else { return "needs root (network namespaces and iptables)" }
        guard find("ip") != nil else { return "needs the ip command (iproute2)" }
        guard find("iptables") != nil else { return "needs iptables (apt-get install iptables)" }
        return nil
    }

    static func find(_ command: String) -> String? {
        ["/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"].map { $0 + command }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Creates the switch namespace with its bridge, and one namespace per host with `eth0` on the
    /// bridge at SUBNET.OCTET/24 and `lo` up.
    static func create(hosts: [String: Int]) throws -> NetworkLab {
        guard let ip = find("ip"), let iptables = find("iptables") else {
            throw ClientError("network lab: \(unavailableReason() ?? "unavailable")")
        }
        let tag = String(UInt32.random(in: 0..<0x10000), radix: 16)
        let lab = NetworkLab(
            prefix: "pxl\(tag)", subnet: "10.213.\(Int.random(in: 1...254))", hosts: hosts, ip: ip, iptables: iptables)
        do {
            let sw = lab.namespace("sw")
            try lab.shell([ip, "netns", "add", sw])
            try lab.shell([ip, "-n", sw, "link", "add", "br0", "type", "bridge"])
            try lab.shell([ip, "-n", sw, "link", "set", "br0", "up"])
            for (host, octet) in hosts.sorted(by: { $0.value < $1.value }) {
                let ns = lab.namespace(host)
                try lab.shell([ip, "netns", "add", ns])
                try lab.shell([
                    ip, "-n", sw, "link", "add", "v\(host)", "type", "veth", "peer", "name", "eth0", "netns", ns,
                ])
                try lab.shell([ip, "-n", sw, "link", "set", "v\(host)", "master", "br0"])
                try lab.shell([ip, "-n", sw, "link", "set", "v\(host)", "up"])
                try lab.shell([ip, "-n", ns, "addr", "add", "\(lab.subnet).\(octet)/24", "dev", "eth0"])
                try lab.shell([ip, "-n", ns, "link", "set", "eth0", "up"])
                try lab.shell([ip, "-n", ns, "link", "set", "lo", "up"])
            }
        } catch {
            lab.destroy()
            throw error
        }
        return lab
    }

    func namespace(_ host: String) -> String { prefix + host }

    func address(_ host: String) -> String { "\(subnet).\(hosts[host] ?? 0)" }

    /// The command line that runs `command` inside `host`'s namespace.
    func inside(_ host: String, _ command: [String]) -> [String] {
        [ip, "netns", "exec", namespace(host)] + command
    }

    /// Drops everything `host` sends or receives but its loopback traffic.
    func isolate(_ host: String) throws {
        for chain in ["INPUT", "OUTPUT"] {
            let interface = chain == "INPUT" ? "-i" : "-o"
            try shell(inside(host, [iptables, "-A", chain, interface, "lo", "-j", "ACCEPT"]))
            try shell(inside(host, [iptables, "-A", chain, "-j", "DROP"]))
        }
    }

    /// Drops what `host` exchanges with `others` (both ways), nothing else.
    func cut(_ host: String, from others: [String]) throws {
        for other in others {
            try shell(inside(host, [iptables, "-A", "INPUT", "-s", address(other), "-j", "DROP"]))
            try shell(inside(host, [iptables, "-A", "OUTPUT", "-d", address(other), "-j", "DROP"]))
        }
    }

    /// Removes every drop in `host`'s namespace.
    func heal(_ host: String) throws {
        try shell(inside(host, [iptables, "-F"]))
    }

    /// Deletes every namespace of the lab (and with them the veths and the bridge). Safe to call
    /// on a half-made lab.
    func destroy() {
        for host in hosts.keys.sorted() + ["sw"] {
            _ = try? shell([ip, "netns", "del", namespace(host)])
        }
    }

    /// Runs a command to completion.
    ///
    /// - Throws: `ClientError` with the command and what it printed on standard error.
    @discardableResult
    func shell(_ command: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ClientError(
                "\(command.joined(separator: " ")) failed (\(process.terminationStatus)): \(String(decoding: err, as: UTF8.self))"
            )
        }
        return String(decoding: out, as: UTF8.self)
    }
}
