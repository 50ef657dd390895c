import Foundation
import Logging
import NIOCore
import NIOPosix
import PaxosCore
import PaxosJournal
import PaxosLogStore
import PaxosProtocol
import PaxosReplica
import PaxosTransport
import Synchronization

/// A running `paxoslog node`: the replica, its journal and its sockets.
///
/// The replica runs on a single event loop, which also runs every socket and the ticks; the
/// journal's fsyncs run on the journal's own writer thread, so a slow disk never delays a
/// heartbeat. Journal completions hop back onto the loop before the replica hears of them.
public final class NodeServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let listener: Channel
    /// The HTTP endpoint for `/metrics` and `/health`, when asked for.
    private let metricsListener: Channel?
    private let core: NIOLoopBound<NodeCore>
    private let stopped: EventLoopFuture<Void>
    private let journal: Journal
    private let logStore: LogStore
    private let dataDirectory: String
    private let logger: Logger
    private let shutdownTask = Mutex<Task<Void, Never>?>(nil)

    private init(
        group: MultiThreadedEventLoopGroup, listener: Channel, metricsListener: Channel?, core: NIOLoopBound<NodeCore>,
        stopped: EventLoopFuture<Void>, journal: Journal, logStore: LogStore, dataDirectory: String, logger: Logger
    ) {
        self.group = group
        self.listener = listener
        self.metricsListener = metricsListener
        self.core = core
        self.stopped = stopped
        self.journal = journal
        self.logStore = logStore
        self.dataDirectory = dataDirectory
        self.logger = logger
    }

    /// Opens the journal (taking its lock), restores the replica from it, listens and joins the cluster.
    public static func start(configuration given: NodeConfiguration, logger: Logger) async throws -> NodeServer {
        MemoryRelease.useOneArena()  // before the journals and the event loop start their threads
        let journalDirectory = given.dataDirectory + "/journal"
        let foundIdentity = try NodeIdentity.read(from: given.dataDirectory)
        let journalExisted = Journal.containsSegments(directory: journalDirectory)
        let metrics = NodeMetrics()
        var journalOptions = given.journalOptions
        journalOptions.batchObserver = { metrics.journalWrote($0) }
        var checkpoint = try Checkpoint.read(from: given.dataDirectory) { problem in
            logger.warning("the checkpoint is damaged: \(problem) (both copies are rewritten at the next checkpoint)")
        }
        let opened = try JournalRepairOnStart.open(directory: journalDirectory, options: journalOptions, logger: logger)
        {
            max((checkpoint?.journalSequence ?? 0) + 1, $0.firstSequence)
        }
        let journal = opened.journal
        var running = given
        var records = opened.records
        do {
            let gap = StartupCheck.coverageGap(
                checkpoint: checkpoint?.journalSequence, journalFirst: journal.firstSequence,
                journalLast: journal.lastSequence)
            let check = try StartupCheck.examine(
                found: foundIdentity, journalExisted: journalExisted, findings: journal.openFindings,
                coverageGap: gap, repaired: opened.repaired, isNewCluster: given.isNewCluster,
                clusterID: given.clusterID, nodeID: given.id.rawValue, dataDirectory: given.dataDirectory)
            if let lostState = check.lostState {
                logger.warning(
                    "node \(given.id) may have lost state: \(lostState). It will not vote until it has rebuilt its log from a majority of the others (new incarnation \(String(check.identity.incarnation, radix: 16)))"
                )
                let journalEnd = journal.lastSequence
                // On disk before the new identity: a crash in between finds the loss again.
                try await Self.appendDurably(PersistRecord.recoveryStarted, to: journal)
                records.append(.recoveryStarted)
                checkpoint = try Self.coverOnlyWhatTheJournalHolds(
                    checkpoint, journalEnd: journalEnd, dataDirectory: given.dataDirectory)
            }
            // Before the identity says the node has started here: from now on the journal exists.
            try await Self.appendDurably(PersistRecord.started(incarnation: check.identity.incarnation), to: journal)
            if check.identity != foundIdentity {
                try check.identity.write(to: given.dataDirectory)
            }
            running.incarnation = check.identity.incarnation
        } catch {
            journal.close()
            throw error
        }
        let configuration = running
        let restored = records
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let replicaConfiguration = ReplicaConfiguration(
            members: configuration.voters, heartbeatPeriod: configuration.heartbeatPeriod,
            electionTimeout: configuration.electionTimeout,
            randomSeed: UInt64.random(in: 0...UInt64.max))
        let storeDirectory = given.dataDirectory + "/log"
        var storeRepaired: String?
        var logStore: LogStore
        let core: NIOLoopBound<NodeCore>
        while true {
            do {
                (logStore, storeRepaired) = try LogStoreRepairOnStart.open(
                    directory: storeDirectory, options: given.journalOptions, from: checkpoint?.logPosition,
                    repaired: storeRepaired, logger: logger)
            } catch {
                journal.close()
                try? await group.shutdownGracefully()
                throw error
            }
            do {
                core = try await restore(
                    configuration: configuration, replicaConfiguration: replicaConfiguration,
                    snapshot: checkpoint?.snapshot, records: restored, journal: journal, logStore: logStore, loop: loop,
                    logger: logger, metrics: metrics)
                break
            } catch let error as LogStoreError where LogStoreRepairOnStart.isDamage(error) && storeRepaired == nil {
                // Damage in a sealed segment is found by the read that meets it, not at open.
                logStore.close()
                do {
                    storeRepaired = try LogStoreRepairOnStart.repair(
                        directory: storeDirectory, found: "\(error)", logger: logger)
                } catch {
                    journal.close()
                    try? await group.shutdownGracefully()
                    throw error
                }
            } catch {
                logStore.close()
                journal.close()
                try? await group.shutdownGracefully()
                throw error
            }
        }

        let listener: Channel
        do {
            listener = try await Listener.bind(
                configuration.listen, group: group, clusterID: configuration.clusterID,
                localID: configuration.id.rawValue, secret: configuration.secret,
                security: configuration.transportSecurity, limits: configuration.connectionLimits, logger: logger
            ) { channel in
                try channel.pipeline.syncOperations.addHandler(ConnectionHandler(core: core, logger: logger))
            }
        } catch {
            // The core was never started, but its stop promise must still be completed.
            try? await loop.submit { core.value.stop() }.get()
            logStore.close()
            journal.close()
            try? await group.shutdownGracefully()
            throw NodeError("cannot listen on \(configuration.listen): \(error)")
        }
        var metricsListener: Channel?
        if let address = configuration.metricsListen {
            do {
                metricsListener = try await MetricsServer.bind(address, on: loop) { request in
                    core.value.httpReply(for: request)
                }
            } catch {
                try? await listener.close()
                try? await loop.submit { core.value.stop() }.get()
                logStore.close()
                journal.close()
                try? await group.shutdownGracefully()
                throw error
            }
            logger.info(
                "node \(configuration.id) serves metrics on http://\(Self.describe(metricsListener?.localAddress))/metrics"
            )
        }
        let stopped = try await loop.submit {
            core.value.start()
            return core.value.stoppedFuture
        }.get()
        logger.info(
            "node \(configuration.id) listening on \(configuration.listen)",
            metadata: ["event": "node_started", "listen": "\(configuration.listen)"])
        return NodeServer(
            group: group, listener: listener, metricsListener: metricsListener, core: core, stopped: stopped,
            journal: journal, logStore: logStore,
            dataDirectory: configuration.dataDirectory, logger: logger)
    }

    /// Rebuilds the node core on `loop` (`NodeCore.restore`), then writes the slots the journal
    /// shows chosen that the log store lacks before the node serves anyone.
    private static func restore(
        configuration: NodeConfiguration, replicaConfiguration: ReplicaConfiguration, snapshot: ReplicaSnapshot?,
        records: [PersistRecord], journal: Journal, logStore: LogStore, loop: EventLoop, logger: Logger,
        metrics: NodeMetrics
    ) async throws -> NIOLoopBound<NodeCore> {
        let (core, missing) = try await loop.submit { () throws -> (NIOLoopBound<NodeCore>, [ChosenSlot]) in
            let io = NodeIO(
                journal: journal, logStore: logStore, logStoreWriter: logStore,
                dialer: PeerLinkDialer(configuration: configuration, eventLoop: loop, logger: logger, metrics: metrics))
            let (core, missing) = try NodeCore.restore(
                configuration: configuration, replicaConfiguration: replicaConfiguration, snapshot: snapshot,
                records: records, io: io, clock: NodeClock(), eventLoop: loop, logger: logger, metrics: metrics)
            return (NIOLoopBound(core, eventLoop: loop), missing)
        }.get()
        if !missing.isEmpty {
            logger.info("writing \(missing.count) slots the log store lacked")
            let result = await withCheckedContinuation { continuation in
                logStore.append(missing) { continuation.resume(returning: $0) }
            }
            if case .failure(let error) = result {
                // The core never started, but its stop promise must still be completed.
                try? await loop.submit { core.value.stop() }.get()
                throw NodeError("cannot write to the log store: \(error)")
            }
        }
        return core
    }

    /// At a clean shutdown, a checkpoint of the final state: the next start replays nothing. Only
    /// when the journal and the log store made everything it covers durable (not after a failure).
    private func writeFinalCheckpoint(_ checkpoint: Checkpoint, after queue: DispatchQueue) {
        queue.sync {}  // a periodic checkpoint still being written must not land after this one
        guard journal.durableSequence >= checkpoint.journalSequence,
            logStore.syncedSlot >= checkpoint.snapshot.commitIndex
        else {
            logger.notice("no checkpoint at shutdown: the journal or the log store did not complete its writes")
            return
        }
        do {
            try checkpoint.write(to: dataDirectory)
            logger.debug("checkpoint at shutdown: slot \(checkpoint.snapshot.commitIndex)")
        } catch {
            logger.error("\(error)")
        }
    }

    /// `HOST:PORT` of a bound socket, for the log line that says where the metrics are.
    private static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return "?" }
        return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    private static func appendDurably(_ record: PersistRecord, to journal: Journal) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            journal.append(contentsOf: [record.encoded()]) { result in
                continuation.resume(with: result.map { _ in () }.mapError { NodeError("journal: \($0)") })
            }
        }
    }

    /// A checkpoint past the end of a journal that lost records (cut at damage, truncated) says it
    /// covers records the journal will now number again: the records written from here on
    /// (`recoveryStarted` first) would be skipped by the next start's replay. It is rewritten to
    /// cover through the journal's end, which is still true (its state includes those records),
    /// once `recoveryStarted` is durable (a crash before finds the loss again).
    private static func coverOnlyWhatTheJournalHolds(
        _ checkpoint: Checkpoint?, journalEnd: UInt64, dataDirectory: String
    ) throws -> Checkpoint? {
        guard var checkpoint, checkpoint.journalSequence > journalEnd else { return checkpoint }
        checkpoint.journalSequence = journalEnd
        try checkpoint.write(to: dataDirectory)
        return checkpoint
    }

    /// Completes when the node has stopped: after `shutdown()`, or with the error of a journal
    /// failure (after which the node must be restarted).
    public func waitUntilStopped() async throws {
        // The future was taken when the node started: asking the event loop for it now could race
        // with the loop's own shutdown and never be answered.
        try await stopped.get()
    }

    /// Stops listening, closes every connection and the journal. Safe to call more than once and
    /// from several tasks (a signal and the main task): they all wait for the one shutdown.
    public func shutdown() async {
        let task = shutdownTask.withLock { existing -> Task<Void, Never> in
            if let existing { return existing }
            let task = Task { await self.performShutdown() }
            existing = task
            return task
        }
        await task.value
    }

    private func performShutdown() async {
        logger.info("shutting down")
        // A leader hands over first (it waits at most one election timeout, then gives up by
        // itself), so its clients move to the successor at once instead of after an election.
        _ = try? await core.eventLoop.flatSubmit { self.core.value.handOverLeadership() }.get()
        try? await listener.close()
        try? await metricsListener?.close()
        logger.debug("listener closed")
        let final = try? await core.eventLoop.submit { () -> (Checkpoint?, DispatchQueue) in
            let core = self.core.value
            core.stop()
            return (core.takeCheckpoint(), core.checkpointQueue)
        }.get()
        logger.debug("node stopped; closing the journal and the log store")
        logStore.close()
        journal.close()
        if let (taken, queue) = final, let checkpoint = taken {
            writeFinalCheckpoint(checkpoint, after: queue)
        }
        logger.debug("journal closed; stopping the event loop")
        try? await group.shutdownGracefully()
        logger.debug("event loop stopped")
    }
}
