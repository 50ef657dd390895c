import ArgumentParser
import Foundation
import PaxosJournal

/// `paxoslog inspect`: a read-only look at journal files, for people and for scripts.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarize and verify a journal directory or one segment file, without locking it.",
        discussion: """
            PATH is a journal directory (every *.seg file in it, in sequence \
            order) or one segment file. Nothing is locked or changed, so a live \
            or damaged journal can be inspected.

            The summary gives segments, records, first and last sequence \
            numbers, batches (one frame per appended batch), bytes on disk and \
            in use, bytes before and after compression with the ratio per codec, \
            a line per segment, and every problem with its file, byte offset and \
            what is wrong. A torn tail (a damaged frame at the end of the last \
            segment with no valid frame after it: what a crash mid-write leaves, \
            and what recovery cuts off at the next open) is reported but is not \
            damage. File names are printed relative to PATH.

            Verification: every frame's crc32 (over header and stored payload) \
            is always checked. With --verify (and with --records) each payload \
            is also decompressed and split into its records, checking that it \
            holds exactly the record count and lengths the header claims; that \
            costs a decompression per frame, which plain inspect skips.

            Exit status: 0 when everything verifies (a torn tail included); 1 \
            when the journal is damaged, with the first bad file and offset on \
            standard error.

            On-disk format (version 1, integers little-endian):
              segment file    %020llu.seg, named after its base sequence number;
                              preallocated, zero-filled after the last frame
              segment header  64 bytes at offset 0: magic "PXLJSEG1", format
                              version u16, header size u16 (64), feature
                              flags u32 (0), segment id u64 (never reused),
                              base sequence number u64, default codec u8,
                              27 zero bytes, crc32 of bytes 0..<60 u32
              frame header    32 bytes: type u8 (1 = full batch; 0 is never
                              valid, so zeroed space never parses), codec u8,
                              flags u16 (0), stored payload length u32, first
                              sequence number u64, record count u32,
                              uncompressed payload length u32, crc32 u32,
                              reserved u32 (0)
              alignment       frames start at offset 64 and on 8-byte
                              boundaries; zero padding after each payload
              codecs          0 none, 1 lz4 (block), 2 zlib; chosen per frame,
                              no state shared between frames; stored raw
                              (none) when compression does not shrink it
              checksum        zlib crc32 of the frame header (crc field as 0),
                              continued over the stored payload
              payload         each record as a LEB128 varint length and its
                              bytes, before compression

            Examples:
              paxoslog inspect /var/lib/paxoslog/node-1/journal
              paxoslog inspect --verify --records journal/00000000000000000001.seg
              paxoslog inspect --json journal | jq .codecs
              paxoslog inspect --records --json journal | jq -c 'select(.type == "record")'
            """
    )

    @Argument(help: "A journal directory or one segment file.")
    var path: String

    @Flag(help: "Also decompress every frame and check it holds the records its header claims.")
    var verify = false

    @Flag(help: "List every record: sequence, file, frame offset, size, codec, checksum, preview.")
    var records = false

    @Flag(help: "Print JSON: one object per record (with --records), then the summary object.")
    var json = false

    func run() async throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError("\(path): no such journal directory or segment file")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var analyzer = InspectAnalyzer()
        var pending = ""
        if records && !json { pending = InspectTextFormat.recordHeader + "\n" }
        try analyzer.analyze(path: path, isDirectory: isDirectory.boolValue, decode: verify || records) { record in
            guard records else { return }
            if json {
                pending += (try? String(decoding: encoder.encode(record), as: UTF8.self)) ?? ""
                pending += "\n"
            } else {
                pending += InspectTextFormat.line(record) + "\n"
            }
            // Stream in chunks: a big journal's listing is not held in memory.
            if pending.utf8.count >= 1 << 16 {
                Output.write(pending)
                pending = ""
            }
        }
        Output.write(pending)
        let summary = analyzer.summary
        if json {
            Output.line(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            if records { Output.line("") }
            Output.write(InspectTextFormat.lines(summary).map { $0 + "\n" }.joined())
        }
        if let damage = summary.firstDamage {
            throw CLIError(damage.location)
        }
        if isDirectory.boolValue, summary.segments.isEmpty {
            // Valid (a journal that never got a record), but more often the wrong directory.
            let nodeJournal = (path as NSString).appendingPathComponent("journal")
            let hint =
                FileManager.default.fileExists(atPath: nodeJournal)
                ? "; a node keeps its journal in \(nodeJournal)" : ""
            Output.note("paxoslog: note: \(path) holds no segment files (*.seg)\(hint)")
        }
    }
}
