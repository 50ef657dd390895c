import Foundation
import PaxosLogClient
import PaxosTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The operator's view of a real cluster: /metrics parsed by Prometheus's own parser, /health,
/// JSON logs and their events, and the lag in `cluster status`.
@Suite(.serialized) struct ObservabilityEndToEndTests {
    /// Every series the README documents, as the parser names its samples.
    static let documentedSamples = [
        "paxoslog_journal_fsync_duration_seconds_count", "paxoslog_journal_records_per_fsync_count",
        "paxoslog_journal_records_total", "paxoslog_journal_bytes_uncompressed_total",
        "paxoslog_journal_bytes_stored_total", "paxoslog_journal_bytes_written_total",
        "paxoslog_proposals_committed_total", "paxoslog_proposals_failed_total{reason=\"not_leader\"}",
        "paxoslog_proposals_pending", "paxoslog_commit_latency_seconds_count", "paxoslog_leader_changes_total",
        "paxoslog_is_leader", "paxoslog_ballot", "paxoslog_leader_id", "paxoslog_commit_index", "paxoslog_last_index",
        "paxoslog_first_index", "paxoslog_peer_lag_entries{peer=\"2\"}", "paxoslog_peer_lag_seconds{peer=\"2\"}",
        "paxoslog_catchup_entries_sent_total", "paxoslog_catchup_entries_received_total",
        "paxoslog_client_connections", "paxoslog_journal_disk_bytes", "paxoslog_log_disk_bytes",
        "paxoslog_appends_rejected_total{reason=\"too_large\"}",
    ]

    @Test(.enabled(if: MetricsProbe.isAvailable, MetricsProbe.skipReason))
    func metricsCountTheEntriesAppendedAndParseAsPrometheusText() async throws {
        try await withCluster { cluster in
            let description = try cluster.description
            #expect(description.nodes.allSatisfy { $0.metrics?.hasPrefix("tcp:127.0.0.1:") == true })
            let leader = try await cluster.leader()
            let address = try #require(description.nodes.first { $0.id == leader }?.metrics)
            let before = try await MetricsProbe.scrape(address)
            for name in Self.documentedSamples where name.contains("peer=\"2\"") == false || leader != 2 {
                #expect(before[name] != nil, "\(name) is missing from /metrics")
            }
            #expect(before["paxoslog_is_leader"] == 1)
            #expect(before["paxoslog_leader_id"] == Double(leader))

            let entries = (1...25).map { "entry-\($0)" }
            let appended = try await cluster.run(["append", "--cluster", cluster.dir] + entries)
            #expect(appended.status == 0, "\(appended.stderr)")
            #expect(appended.stdoutLines.count == entries.count)

            let after = try await MetricsProbe.scrape(address)
            func moved(_ name: String) -> Double { (after[name] ?? 0) - (before[name] ?? 0) }
            #expect(moved("paxoslog_proposals_committed_total") == Double(entries.count))
            #expect(moved("paxoslog_commit_latency_seconds_count") == Double(entries.count))
            #expect(moved("paxoslog_commit_index") == Double(entries.count))
            #expect(moved("paxoslog_journal_records_total") >= 1)
            #expect(moved("paxoslog_journal_fsync_duration_seconds_count") >= 1)
            // Each entry's bytes went through the journal, before compression at least.
            let payload = entries.reduce(0) { $0 + $1.utf8.count }
            #expect(moved("paxoslog_journal_bytes_uncompressed_total") >= Double(payload))
            #expect(after["paxoslog_proposals_pending"] == 0)

            // The followers caught up: no lag in entries, in the metric and in cluster status.
            let lagged = try await waitForNoLag(cluster)
            #expect(lagged.isEmpty, "still behind the leader: \(lagged)")
            for node in description.nodes where node.id != leader {
                #expect(try await MetricsProbe.scrape(address)["paxoslog_peer_lag_entries{peer=\"\(node.id)\"}"] == 0)
            }
        }
    }

    @Test(.enabled(if: MetricsProbe.isAvailable, MetricsProbe.skipReason))
    func healthIsOKWithALeaderAndTurns503WhenAMajorityStops() async throws {
        try await withCluster { cluster in
            let description = try cluster.description
            let leader = try await cluster.leader()
            for node in description.nodes {
                let address = try #require(node.metrics)
                let health = try await waitForHealth(address) { $0 == 200 }
                #expect(health.status == 200, "node \(node.id): \(health.body)")
            }
            // Stop the leader and one follower: the survivor has no leader to hear from.
            let survivor = try #require(description.nodes.first { $0.id != leader })
            for node in description.nodes where node.id != survivor.id {
                try await cluster.kill9(node.id)
            }
            let health = try await waitForHealth(try #require(survivor.metrics)) { $0 == 503 }
            #expect(health.status == 503)
            let reason = health.body.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!reason.isEmpty && !reason.contains("\n"), "one line of reason: \(health.body)")
            #expect(reason.contains("leader"), "the reason names what is missing: \(reason)")
        }
    }

    @Test func jsonLogsParseNameTheNodeAndRecordStartsAndLeaderChanges() async throws {
        try await withCluster(options: ["--log-format", "json", "--log-level", "info"]) { cluster in
            let first = try await cluster.leader()
            try await cluster.kill9(first)
            let second = try await cluster.leader(excluding: [first])
            // The survivors log the new leader; give the other follower a moment to hear of it.
            var events: [UInt32: [[String: Any]]] = [:]
            let deadline = Date().addingTimeInterval(20)
            repeat {
                events = try Self.jsonLogs(cluster)
                let heard = events.filter { id, lines in
                    id != first
                        && lines.contains {
                            $0["event"] as? String == "leader_changed" && $0["leader"] as? String == "\(second)"
                        }
                }
                if heard.count == 2 { break }
                try await Task.sleep(for: .milliseconds(200))
            } while Date() < deadline
            for (id, lines) in events.sorted(by: { $0.key < $1.key }) {
                #expect(lines.allSatisfy { $0["node"] as? Int == Int(id) }, "every line of node \(id) names it")
                #expect(lines.contains { $0["event"] as? String == "node_started" }, "node \(id) logged its start")
                #expect(
                    lines.contains {
                        $0["event"] as? String == "leader_changed" && $0["leader"] as? String == "\(first)"
                    },
                    "node \(id) logged the first leader")
                if id != first {
                    // Peer events name the peer: the lost connection to the killed leader.
                    #expect(
                        lines.contains {
                            ($0["peer"] as? String)?.hasSuffix("/node-\(first).sock") == true
                                && $0["peer_id"] as? String == "\(first)"
                        }, "node \(id) logged its lost link to node \(first) with the peer's address")
                    #expect(
                        lines.contains {
                            $0["event"] as? String == "leader_changed" && $0["leader"] as? String == "\(second)"
                        }, "node \(id) logged the new leader \(second)")
                }
            }
        }
    }

    @Test(.enabled(if: MetricsProbe.isAvailable, MetricsProbe.skipReason))
    func theLeaderReportsAFrozenFollowersLagInEntriesAndSeconds() async throws {
        try await withCluster { cluster in
            let description = try cluster.description
            let leader = try await cluster.leader()
            let address = try #require(description.nodes.first { $0.id == leader }?.metrics)
            let follower = try #require(description.nodes.first { $0.id != leader }?.id)
            let entries = "paxoslog_peer_lag_entries{peer=\"\(follower)\"}"
            let seconds = "paxoslog_peer_lag_seconds{peer=\"\(follower)\"}"
            let warmUp = try await cluster.run(["append", "--cluster", cluster.dir, "first"])
            #expect(warmUp.status == 0, "\(warmUp.stderr)")
            #expect(try await waitForSample(address, entries) { $0 == 0 } == 0)

            // Frozen, the follower stops answering heartbeats: its last report stays behind.
            let pid = try #require(cluster.pid(of: follower))
            _ = Glibc.kill(pid, SIGSTOP)
            let appended = try await cluster.run(["append", "--cluster", cluster.dir] + (1...20).map { "e\($0)" })
            let lag = try await waitForSample(address, entries) { $0 == 20 }
            let age = try await MetricsProbe.scrape(address)[seconds]
            _ = Glibc.kill(pid, SIGCONT)
            #expect(appended.status == 0, "\(appended.stderr)")
            #expect(lag == 20, "the follower lacks the 20 entries appended while it was frozen")
            #expect((age ?? 0) > 0, "the oldest entry it lacks waited for it")

            // Thawed, it catches up and reports so.
            #expect(try await waitForSample(address, entries) { $0 == 0 } == 0)
        }
    }

    /// Polls the sample `name` at `address` until `accept` takes it, up to 20 s; returns the last value.
    private func waitForSample(_ address: String, _ name: String, _ accept: (Double) -> Bool) async throws -> Double? {
        let deadline = Date().addingTimeInterval(20)
        var value = try await MetricsProbe.scrape(address)[name]
        while !(value.map(accept) ?? false) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            value = try await MetricsProbe.scrape(address)[name]
        }
        return value
    }

    @Test func theMetricsEndpointServesABoundedNumberOfConnections() async throws {
        try await withCluster(nodes: 1) { cluster in
            let address = try #require(try cluster.description.nodes.first?.metrics)
            let port = String(address.split(separator: ":").last ?? "")
            let result = try await PaxosBinary.run(
                ["python3", "-c", Self.holdConnections, "127.0.0.1", port], timeout: 60, binary: "/usr/bin/env")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "16 served, the 17th closed, served again after one closed\n")
        }
    }

    /// Opens 16 connections that each get an answer, checks that a 17th is closed unanswered, then
    /// closes one of the 16 and checks that a new connection is served again.
    private static let holdConnections = """
        from socket import create_connection
        from sys import argv
        from time import sleep
        address = (argv[1], int(argv[2]))
        request = b"GET /health HTTP/1.1\\r\\nHost: node\\r\\n\\r\\n"
        def answered(connection):
            try:
                connection.sendall(request)
                return connection.recv(4096).startswith(b"HTTP/1.1 200")
            except OSError:
                return False
        held = [create_connection(address, timeout=10) for _ in range(16)]
        assert all(answered(connection) for connection in held), "one of the first 16 was not served"
        assert not answered(create_connection(address, timeout=10)), "a 17th connection was served"
        held.pop().close()
        for attempt in range(50):
            if answered(create_connection(address, timeout=10)):
                break
            sleep(0.1)
        else:
            raise SystemExit("no connection was served after one closed")
        print("16 served, the 17th closed, served again after one closed")
        """

    /// Every node's log as JSON objects; a line that does not parse fails the test.
    private static func jsonLogs(_ cluster: LocalCluster) throws -> [UInt32: [[String: Any]]] {
        var result: [UInt32: [[String: Any]]] = [:]
        for node in try cluster.description.nodes {
            let text = try String(contentsOfFile: cluster.dir + "/node-\(node.id).log", encoding: .utf8)
            result[node.id] = try text.split(separator: "\n").map { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw ClientError("node \(node.id) logged a line that is not a JSON object: \(line)")
                }
                return object
            }
        }
        return result
    }

    /// Polls `/health` until `accept` takes its status, up to 20 s; returns the last answer.
    private func waitForHealth(_ address: String, _ accept: (Int) -> Bool) async throws -> (status: Int, body: String) {
        let deadline = Date().addingTimeInterval(20)
        var health = try await MetricsProbe.health(address)
        while !accept(health.status) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            health = try await MetricsProbe.health(address)
        }
        return health
    }

    /// Polls `cluster status --json` until every node's lag is 0, up to 20 s; returns the nodes
    /// still behind then (id: lag).
    private func waitForNoLag(_ cluster: LocalCluster) async throws -> [Int: Int] {
        let deadline = Date().addingTimeInterval(20)
        var behind: [Int: Int] = [:]
        repeat {
            let status = try await cluster.run(["cluster", "status", "--dir", cluster.dir, "--json"])
            behind = [:]
            for line in status.stdoutLines {
                guard let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let id = row["id"] as? Int
                else { continue }
                let lag = row["lag"] as? Int ?? -1
                if lag != 0 { behind[id] = lag }
            }
            if behind.isEmpty { return behind }
            try await Task.sleep(for: .milliseconds(200))
        } while Date() < deadline
        return behind
    }
}
