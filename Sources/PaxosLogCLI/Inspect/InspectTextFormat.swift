import PaxosJournal

/// The human-readable rendering of `inspect` results. Deterministic: no times, no absolute paths.
enum InspectTextFormat {
    /// The column titles of `--records`, printed once before the first record.
    static let recordHeader =
        pad("sequence", 8) + "  " + pad("file", 24) + "  " + pad("offset", 8, right: true) + "  "
        + pad("size", 6, right: true) + "  " + pad("codec", 5) + "  " + pad("checksum", 8) + "  " + pad("payload", 11)
        + "  preview"

    /// One `--records` line. Fixed widths, so records stream out without buffering the whole list.
    static func line(_ record: InspectRecord) -> String {
        let size = record.size.map(String.init) ?? "-"
        return pad(String(record.sequence), 8) + "  " + pad(record.file, 24) + "  "
            + pad(String(record.offset), 8, right: true) + "  " + pad(size, 6, right: true) + "  "
            + pad(record.codec, 5) + "  " + pad(record.checksum, 8) + "  " + pad(record.payload, 11) + "  "
            + record.preview
    }

    /// The summary as lines.
    static func lines(_ summary: InspectSummary) -> [String] {
        var lines: [String] = []
        lines.append("segments: \(summary.segmentCount)")
        let range = summary.firstSequence.flatMap { first in
            summary.lastSequence.map { " (sequences \(first)...\($0))" }
        }
        lines.append("records: \(summary.records)\(range ?? "")")
        lines.append("batches: \(summary.batches) (one frame each)")
        lines.append("bytes on disk: \(summary.bytesOnDisk) (\(summary.bytesUsed) in use, the rest preallocated)")
        lines.append(
            "bytes before compression: \(summary.bytesUncompressed) (stored: \(summary.bytesStored), ratio "
                + ratio(summary.bytesUncompressed, summary.bytesStored) + ")")
        if !summary.codecs.isEmpty {
            var table = InspectTable(
                header: ["codec", "frames", "records", "stored", "uncompressed", "ratio"], numeric: [1, 2, 3, 4, 5])
            for codec in summary.codecs {
                table.rows.append([
                    codec.codec, String(codec.frames), String(codec.records), String(codec.storedBytes),
                    String(codec.uncompressedBytes), ratio(codec.uncompressedBytes, codec.storedBytes),
                ])
            }
            lines += table.lines().map { "  " + $0 }
        }
        if !summary.segments.isEmpty {
            var table = InspectTable(
                header: ["segment", "id", "base", "frames", "records", "sequences", "used", "size"],
                numeric: [1, 2, 3, 4, 6, 7])
            for segment in summary.segments {
                let sequences = segment.firstSequence.flatMap { first in segment.lastSequence.map { "\(first)...\($0)" }
                }
                table.rows.append([
                    segment.file, segment.segmentID.map(String.init) ?? "-",
                    segment.baseSequence.map(String.init) ?? "-",
                    String(segment.frames), String(segment.records), sequences ?? "-", String(segment.usedBytes),
                    String(segment.fileSize),
                ])
            }
            lines += table.lines().map { "  " + $0 }
        }
        if summary.problems.isEmpty {
            lines.append("problems: none")
        } else {
            lines.append("problems: \(summary.problems.count)")
            for problem in summary.problems {
                lines.append("  \(problem.kind == .tornTail ? "torn tail" : "damage"): \(problem.location)")
            }
        }
        if let repairs = summary.repairs {
            lines.append("repairs: \(repairs.count) (\(RepairHistory.fileName))")
            for entry in repairs {
                lines += entry.split(separator: "\n").map { "  \($0)" }
            }
        }
        lines.append("verified: \(summary.verified)")
        lines.append("status: \(summary.status)")
        return lines
    }

    /// `uncompressed / stored` with two decimals ("-" when nothing is stored).
    static func ratio(_ uncompressed: Int, _ stored: Int) -> String {
        guard stored > 0 else { return "-" }
        let hundredths = (Double(uncompressed) / Double(stored) * 100).rounded()
        let whole = Int(hundredths) / 100
        let fraction = Int(hundredths) % 100
        return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }
}
