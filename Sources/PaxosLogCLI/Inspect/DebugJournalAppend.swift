import ArgumentParser
import Foundation
import PaxosCompression
import PaxosJournal

/// `paxoslog debug-journal-append`: appends self-describing records forever from several
/// concurrent appenders, printing `SEQ RUN APPENDER COUNTER` once each append is durable.
///
/// Hidden: it exists for the crash test, which SIGKILLs it at a random moment and then checks that
/// every printed record survived with exactly the expected bytes. Each record starts with its run,
/// appender and counter, and the rest is derived from them (see ``DebugJournalAppend/record(run:appender:counter:)``;
/// the test keeps an identical copy), so any record found later can be checked on its own.
struct DebugJournalAppend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug-journal-append",
        abstract: "Append deterministic records to a journal until killed (crash testing).",
        shouldDisplay: false
    )

    @Option(help: "The journal directory.")
    var dir: String

    @Option(help: "Frame codec.")
    var codec: CodecArgument = .lz4

    @Option(name: .customLong("segment-size"), help: "Segment preallocation size in bytes.")
    var segmentSize: Int = 64 << 10

    @Option(help: "A number distinguishing this run's records from earlier runs' in the same journal.")
    var run: UInt32 = 0

    @Option(help: "How many concurrent appenders.")
    var appenders: Int = 4

    @Option(name: .customLong("max-records"), help: "Stop after this many records per appender (default: never).")
    var maxRecords: UInt64?

    func validate() throws {
        guard appenders > 0 else { throw ValidationError("--appenders must be positive") }
    }

    func run() async throws {
        let options = JournalOptions(codec: codec.codec, segmentSize: segmentSize)
        let journal = try Journal.open(directory: dir, options: options)
        let limit = maxRecords ?? .max
        let runID = run
        try await withThrowingTaskGroup(of: Void.self) { group in
            for appender in 0..<UInt32(appenders) {
                group.addTask {
                    var counter: UInt64 = 0
                    while counter < limit {
                        let sequence = try await journal.append(
                            Self.record(run: runID, appender: appender, counter: counter))
                        // One write(2) per line: unbuffered, so a line printed is a line the test sees.
                        FileHandle.standardOutput.write(Data("\(sequence) \(runID) \(appender) \(counter)\n".utf8))
                        counter += 1
                    }
                }
            }
            try await group.waitForAll()
        }
        journal.close()
    }

    /// The record for (`run`, `appender`, `counter`): a 16-byte little-endian identity, then bytes
    /// derived from it, sized 0-300 bytes mostly and up to 20 KB every 50th record.
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
            // Half the bytes repeat, so compression has something to do.
            bytes.append(index % 32 < 16 ? UInt8(truncatingIfNeeded: state >> ((index % 8) * 8)) : UInt8(index % 7))
        }
        return bytes
    }
}
