/// The records `paxoslog debug-journal-append` writes: an exact copy of
/// `DebugJournalAppend.record(run:appender:counter:)` in PaxosLogCLI (the test target cannot
/// import the CLI). Each record starts with its 16-byte identity, so any record can be checked alone.
enum CrashRecords {
    static func record(run: UInt32, appender: UInt32, counter: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: run >> shift)) }
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: appender >> shift)) }
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: counter >> shift)) }
        var state = (UInt64(run) << 40) ^ (UInt64(appender) << 32) ^ counter ^ 0x9E37_79B9_7F4A_7C15
        let extra = counter % 50 == 49 ? Int(state % 20_000) : Int(state % 300)
        for index in 0..<extra {
            if index % 16 == 0 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            }
            bytes.append(index % 32 < 16 ? UInt8(truncatingIfNeeded: state >> ((index % 8) * 8)) : UInt8(index % 7))
        }
        return bytes
    }

    /// The (run, appender, counter) identity at the start of a record, if it has one.
    static func identity(of record: [UInt8]) -> (run: UInt32, appender: UInt32, counter: UInt64)? {
        guard record.count >= 16 else { return nil }
        let run = (0..<4).reduce(UInt32(0)) { $0 | UInt32(record[$1]) << (8 * $1) }
        let appender = (0..<4).reduce(UInt32(0)) { $0 | UInt32(record[4 + $1]) << (8 * $1) }
        let counter = (0..<8).reduce(UInt64(0)) { $0 | UInt64(record[8 + $1]) << (8 * $1) }
        return (run, appender, counter)
    }
}
