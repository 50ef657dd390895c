import Foundation
import NIOCore
import PaxosCore
import PaxosJournal
import PaxosLogStore
import PaxosReplica

/// When the node takes its next checkpoint, and the one waiting to be written.
struct CheckpointSchedule {
    var lastTakenAt: ClockInstant = .zero
    /// A checkpoint taken, waiting for the journal and the log store to be durable through it.
    var waiting: Checkpoint?
    var isWriting = false
    var isSyncingLogStore = false
    /// The journal sequence the last written checkpoint covers.
    var lastWrittenSequence: UInt64 = 0
}

/// Checkpoints: the replica's state every `checkpointInterval`, so that a restart replays only the
/// journal after it and the journal segments before it can be deleted.
///
/// A checkpoint is taken on the event loop (a value copy of the replica's durable state and the
/// journal position it reflects). It is written only once the journal is durable through that
/// position and the log store holds every slot through its commit index, so that everything it
/// claims is on disk elsewhere too; then the journal segments it covers are deleted. Writing and
/// deleting run on a queue of their own, never on the event loop.
extension NodeCore {
    func checkpointIfDue(now: ClockInstant) {
        guard checkpoints.waiting == nil, !checkpoints.isWriting,
            now - checkpoints.lastTakenAt >= configuration.checkpointInterval,
            journalIssued > checkpoints.lastWrittenSequence
        else { return }
        checkpoints.lastTakenAt = now
        checkpoints.waiting = takeCheckpoint()
        writeCheckpointIfReady()
    }

    /// The replica's state now, and the journal position it reflects. Nil while the replica is
    /// learning again slots its log store lost (`Replica+StoreRepair.swift`): the checkpoint from
    /// before the damage must stay, so that a restart finds the slots it still lacks.
    func takeCheckpoint() -> Checkpoint? {
        guard replica.commitIndex >= replica.votesHeldUntil else { return nil }
        let snapshot = replica.snapshot()
        let position = logStore.position(at: snapshot.commitIndex, lastIndex: snapshot.lastIndex)
        return Checkpoint(journalSequence: journalIssued, snapshot: snapshot, logAnchors: position.anchors)
    }

    func writeCheckpointIfReady() {
        guard let checkpoint = checkpoints.waiting, !checkpoints.isWriting, !isStopped,
            journalDurable >= checkpoint.journalSequence, logStore.lastSlot >= checkpoint.snapshot.commitIndex
        else { return }
        guard logStore.syncedSlot >= checkpoint.snapshot.commitIndex else {
            syncLogStore()
            return
        }
        checkpoints.waiting = nil
        checkpoints.isWriting = true
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let loop = eventLoop
        let journal = self.journal
        let logStore = self.logStore
        let directory = configuration.dataDirectory
        checkpointQueue.async {
            let written = Result { () throws(NodeError) in try checkpoint.write(to: directory) }
            let deleted = written.flatMap { _ in
                Result { () throws(JournalError) in try journal.truncate(before: checkpoint.journalSequence + 1) }
                    .mapError {
                        NodeError("the checkpoint is written, but deleting old journal segments failed: \($0)")
                    }
            }
            // Trimmed entries leave the disk only up to the checkpoint's slot: a restart must find
            // the slot the checkpoint names.
            // The checkpoint's state is also a base the log store may keep (one per segment), from
            // which a replica that lags behind a trim continues.
            let snapshot = checkpoint.snapshot
            let trimmed = deleted.flatMap { _ in
                Result { () throws(LogStoreError) in
                    try logStore.recordBase(snapshot.logBase)
                    return try logStore.trim(before: snapshot.firstIndex, keepingFrom: snapshot.commitIndex)
                }
                .mapError { NodeError("the checkpoint is written, but deleting trimmed log segments failed: \($0)") }
            }
            loop.execute {
                let core = bound.value
                core.checkpoints.isWriting = false
                switch deleted {
                case .success(let segments):
                    core.checkpoints.lastWrittenSequence = checkpoint.journalSequence
                    core.logger.debug(
                        "checkpoint at journal record \(checkpoint.journalSequence), slot \(checkpoint.snapshot.commitIndex); deleted \(segments) journal segments"
                    )
                    core.reportTrim(trimmed, firstIndex: snapshot.firstIndex)
                case .failure(let error):
                    // Nothing acknowledged depends on a checkpoint: the journal still holds what it
                    // would have covered. The next one is tried after the interval.
                    core.logger.error("\(error)")
                }
            }
        }
    }

    /// Logs what a checkpoint's deletion of trimmed log segments came to.
    private func reportTrim(_ result: Result<Int, NodeError>, firstIndex: UInt64) {
        switch result {
        case .success(0):
            break
        case .success(let segments):
            logger.info(
                "deleted \(segments) log segments below the first index \(firstIndex); the log store now starts at slot \(logStore.firstSlot)"
            )
        case .failure(let error):
            // The segments stay on disk; the next checkpoint tries again.
            logger.error("\(error)")
        }
    }

    /// The log store defers its syncs: one for the waiting checkpoint, then it is tried again.
    private func syncLogStore() {
        guard !checkpoints.isSyncingLogStore else { return }
        checkpoints.isSyncingLogStore = true
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let loop = eventLoop
        logStoreWriter.sync { result in
            loop.execute {
                let core = bound.value
                core.checkpoints.isSyncingLogStore = false
                switch result {
                case .success:
                    core.writeCheckpointIfReady()
                case .failure(let error):
                    core.fail(error)
                }
            }
        }
    }
}
