import Logging
import PaxosJournal
import PaxosLogStore

/// Opens a node's log store, repairing damage in it instead of refusing to start.
///
/// The store holds chosen values only, which every quorum that chose them still holds. Damage in
/// it (a bad frame followed by good ones, found by the open or by a read; a read marks the store
/// `DAMAGED` and stops the node, see `NodeCore.logStoreReadFailed`) is cut away (`LogStore.repair`:
/// the damaged file kept as `.broken`), and the node fetches what it cut from its peers by
/// catch-up. When the cut reaches below the node's checkpoint, the replica goes back to the
/// store's end and votes for nobody until it has learned again what it knew
/// (`Replica+StoreRepair.swift`).
enum LogStoreRepairOnStart {
    /// Opens the store in `directory`; a repair is made at most once, and said in the node's log.
    ///
    /// - Returns: the store, and what was repaired (nil when nothing was).
    static func open(
        directory: String, options: JournalOptions, from position: LogStorePosition?, repaired: String? = nil,
        logger: Logger
    ) throws -> (store: LogStore, repaired: String?) {
        var repaired = repaired
        if repaired == nil, let mark = LogStore.damageMark(directory: directory) {
            repaired = try repair(directory: directory, found: mark, logger: logger)
        }
        var shortfall: LogStoreError?
        while true {
            let store: LogStore
            do {
                // After a cut the checkpoint's position may be gone: the store is read whole.
                store = try LogStore.open(
                    directory: directory, options: options, from: repaired == nil ? position : nil)
            } catch  where isDamage(error) && repaired == nil {
                repaired = try repair(directory: directory, found: "\(error)", logger: logger)
                continue
            } catch  where error.code == .behindCheckpoint && repaired == nil {
                // Nothing to cut: the store is whole, only shorter than it was.
                shortfall = error
                repaired = "\(error)"
                continue
            } catch {
                // Opened from the checkpoint's position, the store has checked that it still holds it.
                let advice =
                    error.code == .journal
                    ? ""
                    : ". Restore the data directory, or move it aside and start the node on an empty one to rebuild "
                        + "from its peers"
                throw NodeError("cannot open the log store: \(error)\(advice)")
            }
            if let shortfall {
                do {
                    try store.removeBases(after: store.lastSlot)
                } catch {
                    store.close()
                    throw NodeError("cannot remove the log store's bases past its end: \(error)")
                }
                LogStore.recordShortfall(
                    shortfall, directory: directory, heldThrough: store.lastSlot, checkpoint: position?.slot ?? 0)
                logger.warning("\(shortfall); the slots it lacks are fetched from the peers")
            }
            return (store, repaired)
        }
    }

    /// Damage in the store's frames (checksums, framing), which a repair cuts away; not an I/O
    /// error, and not a store that disagrees with its checkpoint.
    static func isDamage(_ error: LogStoreError) -> Bool {
        error.code == .journal && error.journalError?.code == .corrupt
    }

    /// Cuts the store at its first damage and says what was cut.
    static func repair(directory: String, found: String, logger: Logger) throws -> String {
        let report: RepairReport
        do {
            report = try LogStore.repair(directory: directory)
        } catch {
            throw NodeError("the log store is damaged (\(found)) and could not be repaired: \(error)")
        }
        let damage = report.damage.map { "\($0)" } ?? found
        let kept =
            report.brokenFiles.isEmpty ? "" : "; kept for inspection: \(report.brokenFiles.joined(separator: ", "))"
        logger.warning(
            "the log store is damaged: \(damage). Cut there: it now ends at slot \(report.lastSequence) of \(report.lastSequenceBefore)\(kept); the slots cut are fetched from the peers"
        )
        return "the log store was damaged (\(damage)) and cut at slot \(report.lastSequence)"
    }
}
