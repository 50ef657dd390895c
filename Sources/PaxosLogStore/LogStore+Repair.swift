import Foundation
import PaxosJournal
import PaxosProtocol

/// Cutting a damaged log store so that its node can start, and fetch what was cut from its peers.
///
/// The store holds chosen values only: the node's promises and accepted values are in its own
/// journal. A chosen value lost here is lost for this node alone; every quorum that chose it still
/// holds it, so it can be fetched again. The node that repairs its store must not act as if it
/// never learned those slots (its acceptor forgot them when they were chosen): it keeps its vote
/// back until it has learned them again (`Replica.holdVotes(untilCommitted:)`).
extension LogStore {
    /// Left in the store's directory when a read met damage there: the next open repairs the
    /// store first, reading every segment (an open otherwise takes sealed segments on trust).
    static let damageMarkerName = "DAMAGED"

    /// Records that a read found damage in the store in `directory`, for the next open.
    public static func markDamaged(directory: String, reason: String) throws(LogStoreError) {
        do {
            try AtomicFile.write(Array((reason + "\n").utf8), to: directory + "/" + damageMarkerName)
        } catch {
            throw LogStoreError(error)
        }
    }

    /// Why the store in `directory` was marked damaged; nil when it was not.
    public static func damageMark(directory: String) -> String? {
        guard let bytes = FileManager.default.contents(atPath: directory + "/" + damageMarkerName) else { return nil }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Records in the store's repair history (`REPAIRS`, which `inspect` prints) that it was found
    /// ending before its node's checkpoint, and that the node takes it as it is.
    public static func recordShortfall(_ error: LogStoreError, directory: String, heldThrough: Slot, checkpoint: Slot) {
        RepairHistory.record(
            RepairReport(
                damage: JournalError(.corrupt, error.message, path: directory), lastSequence: heldThrough,
                lastSequenceBefore: checkpoint),
            in: directory)
    }

    /// Cuts the store at its first damage, found by reading every segment whole (see
    /// `Journal.repair`: the damaged file is copied aside as `.broken`, later segments are moved
    /// aside), deletes the bases of slots past the cut and the damage mark. Returns what was done;
    /// its `damage` is nil when the store held none.
    public static func repair(directory: String) throws(LogStoreError) -> RepairReport {
        try finishInterruptedReset(of: directory)
        let report: RepairReport
        do {
            report = try Journal.repair(directory: directory)
        } catch {
            throw LogStoreError(error)
        }
        for slot in LogBaseFile.slots(in: directory, names: try listDirectory(directory))
        where slot > report.lastSequence {
            try? FileManager.default.removeItem(atPath: directory + "/" + LogBaseFile.name(of: slot))
        }
        try? FileManager.default.removeItem(atPath: directory + "/" + damageMarkerName)
        try sync(directory: directory)
        return report
    }
}
