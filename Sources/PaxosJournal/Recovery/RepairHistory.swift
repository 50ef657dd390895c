import Foundation

/// Every repair a journal directory went through, kept in the directory as `REPAIRS`: one entry
/// per repair, its date and what `RepairReport` says (the damage, where the log was cut, the files
/// kept aside). `paxoslog inspect` prints it, so what was cut stays visible after the node has
/// rebuilt and logged it long ago.
public enum RepairHistory {
    public static let fileName = "REPAIRS"

    /// Appends `report` to the directory's history, and syncs it. A failure to write the history
    /// loses only this record of the repair, never data: it is not thrown.
    public static func record(_ report: RepairReport, in directory: String, at date: Date = Date()) {
        let stamp = ISO8601DateFormatter().string(from: date)
        let entry =
            "repair at \(stamp)\n"
            + report.description.split(separator: "\n").map { "  \($0)" }.joined(
                separator: "\n") + "\n"
        let path = directory + "/" + fileName
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data(entry.utf8))
        try? handle.synchronize()
    }

    /// The entries of the directory's history, oldest first; empty when it was never repaired.
    public static func entries(in directory: String) -> [String] {
        guard let text = try? String(contentsOfFile: directory + "/" + fileName, encoding: .utf8) else { return [] }
        var entries: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("repair at ") || entries.isEmpty {
                entries.append(String(line))
            } else {
                entries[entries.count - 1] += "\n" + line
            }
        }
        return entries
    }
}
