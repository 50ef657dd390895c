import PaxosJournal
import PaxosProtocol

/// Streams the chosen slots of a log store in order, one journal frame in memory at a time,
/// checking that each record is the slot it should be.
public struct LogStoreSlotIterator {
    private var records: JournalRecordIterator
    private let directory: String

    init(records: JournalRecordIterator, directory: String) {
        self.records = records
        self.directory = directory
    }

    /// The next slot, or nil at the durable end.
    public mutating func next() throws(LogStoreError) -> ChosenSlot? {
        let record: JournalRecord?
        do {
            record = try records.next()
        } catch {
            throw LogStoreError(error)
        }
        guard let record else { return nil }
        return try LogStore.decode(record, in: directory)
    }
}
