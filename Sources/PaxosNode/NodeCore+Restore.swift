import Logging
import NIOCore
import PaxosCore
import PaxosLogStore
import PaxosProtocol
import PaxosReplica

/// A node core rebuilt from what its disk holds: the path `NodeServer` starts every node by, and
/// the whole-node simulation restarts a crashed node by.
extension NodeCore {
    /// Rebuilds the replica from its journal records and brings it and the log store level: slots
    /// the journal shows chosen that the log store lacks (its unsynced tail was lost, or it is new)
    /// are returned as `missing`, for the caller to write to the store before the node serves
    /// anyone, and slots the log store holds past the journal's last commit mark are applied to the
    /// replica. Runs on `eventLoop`.
    static func restore(
        configuration: NodeConfiguration, replicaConfiguration: ReplicaConfiguration, snapshot: ReplicaSnapshot?,
        records: [PersistRecord], io: NodeIO, clock: NodeClock, eventLoop: EventLoop, logger: Logger,
        metrics: NodeMetrics
    ) throws -> (core: NodeCore, missing: [ChosenSlot]) {
        let logStore = io.logStore
        let stored = logStore.lastSlot
        var recovered: [ChosenSlot] = []
        var replica = Replica.recover(
            id: configuration.id, configuration: replicaConfiguration, snapshot: snapshot, records: records,
            now: clock.now()
        ) { chosen in
            if chosen.slot > stored { recovered.append(chosen) }
        }
        if let snapshot, snapshot.commitIndex > stored {
            // The store was cut at damage below the checkpoint: see `Replica+StoreRepair.swift`.
            let knew = replica.commitIndex
            if let end = try logState(of: logStore, id: configuration.id, configuration: replicaConfiguration) {
                recovered = []
                replica = Replica.recover(
                    id: configuration.id, configuration: replicaConfiguration,
                    snapshot: snapshot.rolledBack(to: end),
                    records: Replica.recordsForRollback(records, chosenThrough: snapshot.commitIndex), now: clock.now()
                ) { chosen in
                    if chosen.slot > stored { recovered.append(chosen) }
                }
                replica.holdVotes(untilCommitted: knew)
                logger.warning(
                    "node \(configuration.id) knew slots through \(knew) chosen, but its log store now ends at slot \(stored): it fetches the rest from its peers and votes for nobody until it has them"
                )
            } else {
                // The cut left slots after a base it removed: no log state to go back to. The
                // store continues after the checkpoint instead, as after a catch-up past a trim.
                try logStore.reset(to: snapshot.logBase)
                logger.warning(
                    "node \(configuration.id): its log store, cut at damage, no longer holds a base to continue from; it now continues after the checkpoint's slot \(snapshot.commitIndex) and holds the entries from index \(snapshot.lastIndex + 1) on (the others hold those before)"
                )
            }
        }
        // A catch-up past a trim restarts the log store from a base; a crash may have left the
        // journal's record of it or the store's restart undone. Either one is enough.
        if let base = replica.installedBase, base.slot > logStore.lastSlot {
            logger.notice("restarting the log store from the base at slot \(base.slot) the journal records")
            try logStore.reset(to: base)
        } else if let base = logStore.startBase, base.slot > replica.commitIndex {
            logger.notice("the log store restarted from the base at slot \(base.slot): continuing from there")
            replica.restoreBase(base)
        }
        let missing = recovered.filter { $0.slot > logStore.lastSlot }
        var beyond = logStore.slots(from: replica.commitIndex + 1)
        while let chosen = try beyond.next() {
            replica.restoreChosen(chosen.value, at: chosen.slot)
        }
        let expectedLastIndex = missing.last?.lastIndex ?? logStore.lastIndex
        guard replica.lastIndex == expectedLastIndex else {
            throw NodeError(
                "the log store in \(logStore.directory) ends at index \(logStore.lastIndex) (slot "
                    + "\(logStore.lastSlot)), which does not match the journal's log (index \(replica.lastIndex), "
                    + "slot \(replica.commitIndex)): refusing to serve an inconsistent log")
        }
        logger.info(
            "node \(configuration.id) restored \(snapshot.map { "a checkpoint at slot \($0.commitIndex), " } ?? "")\(records.count) journal records and \(stored) stored slots: \(replica.lastIndex) entries committed"
        )
        if !replica.isVoter {
            logger.notice("node \(configuration.id) is a non-voter until it has rebuilt its state from the others")
        }
        let core = NodeCore(
            configuration: configuration, replica: replica, io: io, clock: clock, eventLoop: eventLoop, logger: logger,
            metrics: metrics)
        return (core, missing)
    }

    /// The log's state at the end of `logStore`, rebuilt from the newest base it holds every slot
    /// after (or from slot 1) by applying those slots; nil when it keeps no such base.
    private static func logState(
        of logStore: LogStore, id: NodeID, configuration: ReplicaConfiguration
    ) throws -> LogBase? {
        var replica = Replica.recover(id: id, configuration: configuration, records: [], now: .zero)
        if let base = try logStore.newestBaseToReplayFrom() ?? logStore.startBase {
            replica.restoreBase(base)
        } else if logStore.firstSlot > 1 {
            return nil
        }
        var slots = logStore.slots(from: replica.commitIndex + 1)
        while let chosen = try slots.next() {
            replica.restoreChosen(chosen.value, at: chosen.slot)
        }
        return replica.snapshot().logBase
    }

}
