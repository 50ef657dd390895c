/// Checks a node's log against what `append` acknowledged: each input line at the index printed
/// for it, every index once, nothing else in the log.
///
/// Not input order: when the leader dies with several batches of a stream in flight, a later batch
/// that reached a majority can be chosen before an earlier one that reached none, which the client
/// then re-sends (a known limit, see the README). The acknowledged index of every line is the
/// contract these checks hold a node to.
enum AcknowledgedLog {
    /// What is wrong with `entries` (the log from `firstIndex` on, as `tail` prints the entries),
    /// given the `lines` appended and the `acknowledged` indexes `append` printed; nil when nothing.
    static func problem(
        entries: [String], from firstIndex: UInt64 = 1, lines: [String], acknowledged: [String]
    ) -> String? {
        let indexes = acknowledged.compactMap(UInt64.init)
        guard indexes.count == lines.count else {
            return "\(indexes.count) indexes acknowledged for \(lines.count) lines"
        }
        guard Set(indexes) == Set(1...UInt64(lines.count)) else {
            return "the acknowledged indexes are not 1...\(lines.count), each once"
        }
        let held = lines.count - Int(firstIndex) + 1
        guard entries.count == held else {
            return "the log holds \(entries.count) entries from index \(firstIndex), expected \(held)"
        }
        for (line, index) in zip(lines, indexes) where index >= firstIndex {
            let entry = entries[Int(index - firstIndex)]
            guard entry == line else {
                return "index \(index) holds '\(entry.prefix(40))', acknowledged for '\(line.prefix(40))'"
            }
        }
        return nil
    }

    /// How many lines landed before a line that came earlier in the input.
    static func outOfOrder(_ acknowledged: [String]) -> Int {
        let indexes = acknowledged.compactMap(UInt64.init)
        return zip(indexes, indexes.dropFirst()).filter { $0 > $1 }.count
    }
}
