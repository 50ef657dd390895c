/// What ``Journal/repair(directory:)`` found and cut, for the operator to read and keep.
public struct RepairReport: Sendable, CustomStringConvertible {
    /// The damage found; nil when the journal needed no repair (a torn tail is left to `open`).
    public var damage: JournalError?
    /// The segment file that was cut, and the byte offset it now ends at.
    public var cut: (path: String, offset: Int64)?
    /// Copies of damaged files and segments moved aside, all ending in `.broken`.
    public var brokenFiles: [String] = []
    /// The last sequence number the repaired journal holds (0 if empty).
    public var lastSequence: UInt64 = 0
    /// The last sequence number held before the repair, counting only verifiable frames.
    public var lastSequenceBefore: UInt64 = 0

    public init(
        damage: JournalError? = nil, brokenFiles: [String] = [], lastSequence: UInt64 = 0,
        lastSequenceBefore: UInt64 = 0
    ) {
        self.damage = damage
        self.brokenFiles = brokenFiles
        self.lastSequence = lastSequence
        self.lastSequenceBefore = lastSequenceBefore
    }

    public var description: String {
        guard let damage else { return "journal needs no repair (last sequence \(lastSequence))" }
        var lines = ["damage: \(damage)"]
        if let cut { lines.append("cut \(cut.path) at offset \(cut.offset)") }
        for file in brokenFiles { lines.append("kept for inspection: \(file)") }
        lines.append("journal now ends at sequence \(lastSequence)")
        return lines.joined(separator: "\n")
    }
}
