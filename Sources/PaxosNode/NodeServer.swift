import Logging
import NIOCore
import NIOPosix
import PaxosCore
import PaxosJournal
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
    private let core: NIOLoopBound<NodeCore>
    private let stopped: EventLoopFuture<Void>
    private let journal: Journal
    private let logger: Logger
    private let shutdownTask = Mutex<Task<Void, Never>?>(nil)

    private init(
        group: MultiThreadedEventLoopGroup, listener: Channel, core: NIOLoopBound<NodeCore>,
        stopped: EventLoopFuture<Void>, journal: Journal, logger: Logger
    ) {
        self.group = group
        self.listener = listener
        self.core = core
        self.stopped = stopped
        self.journal = journal
        self.logger = logger
    }

    /// Opens the journal (taking its lock), restores the replica from it, listens and joins the cluster.
    public static func start(configuration given: NodeConfiguration, logger: Logger) async throws -> NodeServer {
        let journalDirectory = given.dataDirectory + "/journal"
        let foundIdentity = try NodeIdentity.read(from: given.dataDirectory)
        let journalExisted = Journal.containsSegments(directory: journalDirectory)
        let journal: Journal
        do {
            journal = try Journal.open(directory: journalDirectory, options: given.journalOptions)
        } catch {
            throw NodeError("cannot open the journal: \(error)")
        }
        var running = given
        var records: [PersistRecord]
        do {
            records = try Self.readRecords(journal)
            let check = try StartupCheck.examine(
                found: foundIdentity, journalExisted: journalExisted, findings: journal.openFindings,
                isNewCluster: given.isNewCluster, clusterID: given.clusterID, nodeID: given.id.rawValue,
                dataDirectory: given.dataDirectory)
            if let lostState = check.lostState {
                logger.warning(
                    "node \(given.id) may have lost state: \(lostState). It will not vote until it has rebuilt its log from a majority of the others (new incarnation \(String(check.identity.incarnation, radix: 16)))"
                )
                // On disk before the new identity: a crash in between finds the loss again.
                try await Self.appendDurably(PersistRecord.recoveryStarted, to: journal)
                records.append(.recoveryStarted)
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
            members: configuration.members, heartbeatPeriod: configuration.heartbeatPeriod,
            electionTimeout: configuration.electionTimeout,
            randomSeed: UInt64.random(in: 0...UInt64.max))
        let core = try await loop.submit {
            let clock = NodeClock()
            let replica = Replica.recover(
                id: configuration.id, configuration: replicaConfiguration, records: restored, now: clock.now())
            logger.info(
                "node \(configuration.id) restored \(restored.count) journal records: \(replica.lastIndex) entries committed"
            )
            if !replica.isVoter {
                logger.notice("node \(configuration.id) is a non-voter until it has rebuilt its state from the others")
            }
            return NIOLoopBound(
                NodeCore(
                    configuration: configuration, replica: replica, journal: journal, clock: clock, eventLoop: loop,
                    logger: logger),
                eventLoop: loop)
        }.get()

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
            journal.close()
            try? await group.shutdownGracefully()
            throw NodeError("cannot listen on \(configuration.listen): \(error)")
        }
        let stopped = try await loop.submit {
            core.value.start()
            return core.value.stoppedFuture
        }.get()
        logger.info("node \(configuration.id) listening on \(configuration.listen)")
        return NodeServer(
            group: group, listener: listener, core: core, stopped: stopped, journal: journal, logger: logger)
    }

    private static func appendDurably(_ record: PersistRecord, to journal: Journal) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            journal.append(contentsOf: [record.encoded()]) { result in
                continuation.resume(with: result.map { _ in () }.mapError { NodeError("journal: \($0)") })
            }
        }
    }

    private static func readRecords(_ journal: Journal) throws -> [PersistRecord] {
        var iterator = journal.records(from: journal.firstSequence)
        var records: [PersistRecord] = []
        while let record = try iterator.next() {
            do {
                records.append(try PersistRecord(decoding: record.bytes))
            } catch {
                throw NodeError(
                    "journal record \(record.sequence) in \(journal.directory) is not a replica record: \(error)")
            }
        }
        return records
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
        try? await listener.close()
        logger.debug("listener closed")
        try? await core.eventLoop.submit { self.core.value.stop() }.get()
        logger.debug("node stopped; closing the journal")
        journal.close()
        logger.debug("journal closed; stopping the event loop")
        try? await group.shutdownGracefully()
        logger.debug("event loop stopped")
    }
}
