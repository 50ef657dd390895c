import ArgumentParser
import Foundation
import PaxosLogClient
import PaxosProtocol

/// `paxoslog cluster status`.
struct ClusterStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "One line per node: pid, liveness, role, ballot, leader, indexes, journal size, fsync latency.",
        discussion: """
            Every node is asked over its address (the cluster's Unix sockets, or the TCP addresses \
            of a cluster file), each within 2 s: alive means it answered. The pid is shown for \
            nodes running on this machine (from DIR/node-K.pid beside the description).

            Columns: node id, pid, alive, role, voter (no while the node rebuilds state it lost), \
            ballot (number.node), the leader it knows, first index (entries below it were trimmed), \
            commit index (entries committed), last index (where the log would end if every entry the \
            node has accepted committed), last slot, journal bytes on disk (preallocated segments \
            included), fsync p50 and p99 in milliseconds, and lag: how many entries a node's commit \
            index is behind the leader's (0 for the leader; - when no node answered as leader). --json prints one JSON object per node \
            instead, with the same keys for every node (null where a node did not answer).
            """
    )

    @Option(help: "The cluster directory (of 'cluster start').")
    var dir: String?

    @Option(help: "The cluster: a directory or a cluster file (of 'cluster init').")
    var cluster: String?

    @Flag(help: "One JSON object per line.")
    var json = false

    @OptionGroup(title: "TLS (for nodes reached over TCP)") var tls: ClientTLSOptions

    struct Row: Encodable {
        var id: UInt32
        var pid: Int32?
        var alive: Bool
        var role: String?
        var voter: Bool?
        var ballot: String?
        var leader: UInt32?
        var firstIndex: UInt64?
        var commitIndex: UInt64?
        var lastIndex: UInt64?
        var lastSlot: UInt64?
        var journalBytes: UInt64?
        var logBytes: UInt64?
        var fsyncP50Milliseconds: Double?
        var fsyncP99Milliseconds: Double?
        var recordsPerFsync: Double?
        /// Entries behind the leader's commit index, as the two answered (0 for the leader).
        var lag: UInt64?
        var error: String?

        enum CodingKeys: String, CodingKey {
            case id, pid, alive, role, voter, ballot, leader, firstIndex, commitIndex, lastIndex, lastSlot,
                journalBytes, logBytes
            case fsyncP50Milliseconds, fsyncP99Milliseconds, recordsPerFsync, lag, error
        }

        /// Every key, null when unknown: scripts can read the same fields of a node that is down.
        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(pid, forKey: .pid)
            try container.encode(alive, forKey: .alive)
            try container.encode(role, forKey: .role)
            try container.encode(voter, forKey: .voter)
            try container.encode(ballot, forKey: .ballot)
            try container.encode(leader, forKey: .leader)
            try container.encode(firstIndex, forKey: .firstIndex)
            try container.encode(commitIndex, forKey: .commitIndex)
            try container.encode(lastIndex, forKey: .lastIndex)
            try container.encode(lastSlot, forKey: .lastSlot)
            try container.encode(journalBytes, forKey: .journalBytes)
            try container.encode(logBytes, forKey: .logBytes)
            try container.encode(fsyncP50Milliseconds, forKey: .fsyncP50Milliseconds)
            try container.encode(fsyncP99Milliseconds, forKey: .fsyncP99Milliseconds)
            try container.encode(recordsPerFsync, forKey: .recordsPerFsync)
            try container.encode(lag, forKey: .lag)
            try container.encode(error, forKey: .error)
        }
    }

    /// What one node answered, or why it did not.
    private struct NodeAnswer: Sendable {
        var id: UInt32
        var status: NodeStatus?
        var error: String?
    }

    func validate() throws {
        guard (dir == nil) != (cluster == nil) else {
            throw ValidationError("give --dir DIR or --cluster DIR|FILE (one of them)")
        }
    }

    func run() async throws {
        let location = URL(fileURLWithPath: dir ?? cluster ?? ".").standardizedFileURL.path
        var description: ClusterDescription
        description = try ClusterDescription.load(from: location)
        try tls.apply(to: &description)
        let client = PaxosLogClient(cluster: description)
        let base = description.baseDirectory ?? location
        // Every node at once: a node that is down costs its 2 s once, not once per node.
        let answers = await withTaskGroup(of: NodeAnswer.self) { group in
            for node in description.nodes {
                group.addTask {
                    do {
                        return NodeAnswer(
                            id: node.id, status: try await client.status(of: node.id, timeout: .seconds(2)))
                    } catch {
                        return NodeAnswer(id: node.id, error: "\(error)")
                    }
                }
            }
            var answers: [UInt32: NodeAnswer] = [:]
            for await answer in group { answers[answer.id] = answer }
            return answers
        }
        var rows: [Row] = []
        for node in description.nodes {
            // Extra detail for nodes on this machine; liveness is whether the node answered.
            let pidPath = base + "/node-\(node.id).pid"
            let pid = PidFile.liveNode(pidPath: pidPath, started: node.pid) ?? PidFile.read(pidPath)
            var row = Row(id: node.id, pid: pid, alive: false)
            switch answers[node.id].map({ ($0.status, $0.error) }) {
            case (let status?, _)?:
                row.alive = true
                row.role = status.role
                row.voter = status.voter
                row.ballot = status.ballot
                row.leader = status.leader
                row.firstIndex = status.firstIndex
                row.commitIndex = status.commitIndex
                row.lastIndex = status.lastIndex
                row.lastSlot = status.lastSlot
                row.journalBytes = status.journalBytes
                row.logBytes = status.logBytes
                row.fsyncP50Milliseconds = status.fsyncP50Milliseconds
                row.fsyncP99Milliseconds = status.fsyncP99Milliseconds
                row.recordsPerFsync = status.recordsPerFsync
            case (nil, let error)?:
                row.error = error ?? "no answer"
            case nil:
                row.error = "not asked"
            }
            rows.append(row)
        }
        Self.fillLag(&rows)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            for row in rows {
                Output.line(String(decoding: try encoder.encode(row), as: UTF8.self))
            }
        } else {
            Output.line(
                "node  pid      alive  role       voter  ballot  leader  first     commit    last      last-slot  journal     log         fsync-p50  fsync-p99  lag"
            )
            for row in rows {
                func text<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "-" }
                let columns = [
                    pad(text(row.id), 4), pad(text(row.pid), 7), pad(row.alive ? "yes" : "no", 5),
                    pad(row.role ?? (row.error == nil ? "-" : "no answer"), 9),
                    pad(row.voter.map { $0 ? "yes" : "no" } ?? "-", 5), pad(text(row.ballot), 6),
                    pad(text(row.leader), 6), pad(text(row.firstIndex), 8), pad(text(row.commitIndex), 8),
                    pad(text(row.lastIndex), 8),
                    pad(text(row.lastSlot), 9),
                    pad(row.journalBytes.map(formatBytes) ?? "-", 10),
                    pad(row.logBytes.map(formatBytes) ?? "-", 10),
                    pad(row.fsyncP50Milliseconds.map { String(format: "%.2fms", $0) } ?? "-", 9),
                    pad(row.fsyncP99Milliseconds.map { String(format: "%.2fms", $0) } ?? "-", 9),
                    text(row.lag),
                ]
                Output.line(columns.joined(separator: "  "))
            }
        }
    }

    /// Each answering node's lag behind the leader that answered (the one with the highest
    /// ballot, should two still say they lead). The answers were taken at slightly different
    /// moments, so a follower that is level may show a few entries for an instant.
    static func fillLag(_ rows: inout [Row]) {
        let leaders = rows.filter { $0.role == "leader" && $0.commitIndex != nil }
        guard
            let leader = leaders.max(by: {
                ($0.ballot ?? "").localizedStandardCompare($1.ballot ?? "") == .orderedAscending
            }),
            let leaderCommit = leader.commitIndex
        else { return }
        for index in rows.indices {
            guard let commit = rows[index].commitIndex else { continue }
            rows[index].lag = leaderCommit - min(leaderCommit, commit)
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

/// Bytes in a human unit (KiB, MiB, GiB).
func formatBytes(_ bytes: UInt64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes)B" : String(format: "%.1f%@", value, units[unit])
}
