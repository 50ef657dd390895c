import Logging
import PaxosJournal
import PaxosProtocol

/// Opens a node's journal and reads the records to replay, repairing damage in the middle of it
/// instead of refusing to start.
///
/// Damage that is not a torn tail (a bad frame followed by good ones, a damaged sealed segment, a
/// gap in sequence numbers) means records the node wrote, synced and may have acknowledged are
/// unreadable: a promise it made, a value it accepted. Refusing to start leaves an operator to do
/// by hand what the protocol can do safely (Alagappan et al., "Protocol-Aware Recovery for
/// Consensus-Based Storage", FAST'18): the journal is cut at the first damage (the damaged file
/// copied aside as `*.broken`, later segments moved aside, see `Journal.repair`), and the node
/// starts as one that lost state. It votes for nobody, and never reports a slot as "not
/// accepted", until it has rebuilt its state from a majority of the others
/// (`Replica+Amnesia.swift`), which hold every chosen value it lacks.
///
/// Damage in the log store (`DATA/log`, the chosen values only) is repaired differently, without
/// giving up the vote for long: see `LogStoreRepairOnStart`.
struct JournalRepairOnStart {
    var journal: Journal
    var records: [PersistRecord]
    /// What was damaged and cut, for the lost-state reasons and the node's log; nil when nothing was.
    var repaired: String?

    /// - Parameter replayFrom: the first record to replay, given the opened journal.
    static func open(
        directory: String, options: JournalOptions, logger: Logger, replayFrom: (Journal) -> UInt64
    ) throws -> JournalRepairOnStart {
        var repaired: String?
        while true {
            let journal: Journal
            do {
                journal = try Journal.open(directory: directory, options: options)
            } catch  where error.code == .corrupt && repaired == nil {
                repaired = try repair(directory: directory, found: error, logger: logger)
                continue
            } catch {
                throw NodeError("cannot open the journal: \(error)")
            }
            do {
                let records = try readRecords(journal, from: replayFrom(journal))
                return JournalRepairOnStart(journal: journal, records: records, repaired: repaired)
            } catch let error as JournalError where error.code == .corrupt && repaired == nil {
                // Damage in a sealed segment is found by the read that meets it, not at open.
                journal.close()
                repaired = try repair(directory: directory, found: error, logger: logger)
            } catch {
                journal.close()
                throw error
            }
        }
    }

    /// Cuts the journal at its first damage and says what was cut.
    private static func repair(directory: String, found: JournalError, logger: Logger) throws -> String {
        let report: RepairReport
        do {
            report = try Journal.repair(directory: directory)
        } catch {
            throw NodeError("the journal is damaged (\(found)) and could not be repaired: \(error)")
        }
        let damage = report.damage.map { "\($0)" } ?? "\(found)"
        let kept =
            report.brokenFiles.isEmpty ? "" : "; kept for inspection: \(report.brokenFiles.joined(separator: ", "))"
        logger.warning(
            "the journal is damaged: \(damage). Cut there: it now ends at record \(report.lastSequence) of \(report.lastSequenceBefore)\(kept)"
        )
        return "the journal was damaged (\(damage)) and cut at record \(report.lastSequence)"
    }

    private static func readRecords(_ journal: Journal, from first: UInt64) throws -> [PersistRecord] {
        var iterator = journal.records(from: first)
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
}
