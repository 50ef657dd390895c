import CoreMetrics
import PaxosCore
import PaxosJournal
import PaxosTransport

/// The series one node exports, made through a swift-metrics factory the node owns (never the
/// process-wide `MetricsSystem`, so two nodes in one test process keep their figures apart).
///
/// Counters move as events happen (on the event loop, or on the journal's writer thread for the
/// journal's series); gauges that mirror the replica's state are set when a scrape asks
/// (``NodeCore/refreshMetrics()``), so nothing on the commit path updates them. The names and
/// their meaning are listed in the README's Metrics section.
final class NodeMetrics: Sendable {
    /// The labels swift-prometheus turns into histograms, with their buckets.
    enum Histograms {
        static let fsync = "paxoslog_journal_fsync_duration_seconds"
        static let recordsPerFsync = "paxoslog_journal_records_per_fsync"
        static let commitLatency = "paxoslog_commit_latency_seconds"
        static let fsyncBuckets: [Duration] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .seconds(1),
        ]
        static let commitBuckets: [Duration] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .microseconds(2_500_000), .seconds(5),
        ]
        static let recordBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
    }

    private let export: PrometheusExport
    private let factory: any MetricsFactory

    let fsyncDuration: CoreMetrics.Timer
    let recordsPerFsync: Recorder
    let journalRecords: Counter
    let bytesUncompressed: Counter
    let bytesStored: Counter
    let bytesWritten: Counter

    let proposalsCommitted: Counter
    let proposalsPending: Gauge
    let commitLatency: CoreMetrics.Timer
    let leaderChanges: Counter
    let isLeader: Gauge
    let ballot: Gauge
    let leaderID: Gauge
    let commitIndex: Gauge
    let lastIndex: Gauge
    let firstIndex: Gauge
    let catchUpEntriesSent: Counter
    let catchUpEntriesReceived: Counter
    let clientConnections: Gauge
    /// One counter per reason, made once (a refusal may come with every entry of a stream).
    private let rejected: [Rejection: Counter]
    private let failed: [Rejection: Counter]
    let journalDiskBytes: Gauge
    let logDiskBytes: Gauge

    /// A fresh set of series in a registry of their own.
    init(export: PrometheusExport = PrometheusExport()) {
        self.export = export
        let factory = export.metricsFactory
        self.factory = factory
        fsyncDuration = CoreMetrics.Timer(label: Histograms.fsync, dimensions: [], factory: factory)
        recordsPerFsync = Recorder(label: Histograms.recordsPerFsync, dimensions: [], aggregate: true, factory: factory)
        journalRecords = Counter(label: "paxoslog_journal_records_total", factory: factory)
        bytesUncompressed = Counter(label: "paxoslog_journal_bytes_uncompressed_total", factory: factory)
        bytesStored = Counter(label: "paxoslog_journal_bytes_stored_total", factory: factory)
        bytesWritten = Counter(label: "paxoslog_journal_bytes_written_total", factory: factory)
        proposalsCommitted = Counter(label: "paxoslog_proposals_committed_total", factory: factory)
        proposalsPending = Gauge(label: "paxoslog_proposals_pending", factory: factory)
        commitLatency = CoreMetrics.Timer(label: Histograms.commitLatency, dimensions: [], factory: factory)
        leaderChanges = Counter(label: "paxoslog_leader_changes_total", factory: factory)
        isLeader = Gauge(label: "paxoslog_is_leader", factory: factory)
        ballot = Gauge(label: "paxoslog_ballot", factory: factory)
        leaderID = Gauge(label: "paxoslog_leader_id", factory: factory)
        commitIndex = Gauge(label: "paxoslog_commit_index", factory: factory)
        lastIndex = Gauge(label: "paxoslog_last_index", factory: factory)
        firstIndex = Gauge(label: "paxoslog_first_index", factory: factory)
        catchUpEntriesSent = Counter(label: "paxoslog_catchup_entries_sent_total", factory: factory)
        catchUpEntriesReceived = Counter(label: "paxoslog_catchup_entries_received_total", factory: factory)
        clientConnections = Gauge(label: "paxoslog_client_connections", factory: factory)
        journalDiskBytes = Gauge(label: "paxoslog_journal_disk_bytes", factory: factory)
        logDiskBytes = Gauge(label: "paxoslog_log_disk_bytes", factory: factory)
        // Every reason is shown from the start, at 0: a rate over a series that appears only with
        // its first event misses that event.
        rejected = Dictionary(
            uniqueKeysWithValues: Rejection.allCases.map { reason in
                (
                    reason,
                    Counter(
                        label: "paxoslog_appends_rejected_total", dimensions: [("reason", reason.rawValue)],
                        factory: factory)
                )
            })
        failed = Dictionary(
            uniqueKeysWithValues: [Rejection.notLeader, .overloaded, .outOfOrder, .indexForgotten].map { reason in
                (
                    reason,
                    Counter(
                        label: "paxoslog_proposals_failed_total", dimensions: [("reason", reason.rawValue)],
                        factory: factory)
                )
            })
        for counter in Array(rejected.values) + Array(failed.values) { counter.increment(by: 0) }
    }

    /// Every series, as `GET /metrics` returns them.
    func text() -> [UInt8] { export.text() }

    /// The journal's writer reports each frame here (``JournalOptions/batchObserver``).
    func journalWrote(_ report: JournalBatchReport) {
        journalRecords.increment(by: report.records)
        bytesUncompressed.increment(by: report.bytesUncompressed)
        bytesStored.increment(by: report.bytesStored)
        bytesWritten.increment(by: report.bytesWritten)
        if let nanoseconds = report.fsyncNanoseconds {
            fsyncDuration.recordNanoseconds(Int64(clamping: nanoseconds))
            recordsPerFsync.record(report.records)
        }
    }

    /// Why an append was refused: the `reason` label.
    enum Rejection: String, CaseIterable, Sendable {
        /// Larger than the node's entry limit: refused at the door.
        case tooLarge = "too_large"
        /// This node does not lead: the client retries at the leader.
        case notLeader = "not_leader"
        /// The leader's queue was full: the client retries later.
        case overloaded
        /// It came before its stream's predecessor (lost with a leader): the client re-sends
        /// from the predecessor on.
        case outOfOrder = "out_of_order"
        /// A retry of an entry appended so long ago that its index is no longer known.
        case indexForgotten = "index_forgotten"
    }

    /// Counts `count` appends refused for `reason`; those the replica had taken (all but
    /// `tooLarge`) are failed proposals too.
    func appendsRejected(_ reason: Rejection, count: Int = 1) {
        rejected[reason]?.increment(by: count)
        failed[reason]?.increment(by: count)
    }

    /// A link to `peer` failed to connect or lost its connection.
    func peerConnectionError(_ peer: NodeID, _ failure: PeerLinkFailure) {
        Counter(
            label: "paxoslog_peer_connection_errors_total",
            dimensions: [("peer", "\(peer.rawValue)"), ("reason", failure.rawValue)], factory: factory
        ).increment()
    }

    /// How far behind the leader `peer` is (set by the leader at each scrape; 0 elsewhere).
    func peerLag(_ peer: NodeID, entries: UInt64, seconds: Double) {
        let labels = [("peer", "\(peer.rawValue)")]
        Gauge(label: "paxoslog_peer_lag_entries", dimensions: labels, factory: factory).record(Double(entries))
        Gauge(label: "paxoslog_peer_lag_seconds", dimensions: labels, factory: factory).record(seconds)
    }
}
