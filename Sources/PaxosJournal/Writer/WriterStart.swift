/// Everything recovery hands to the writer thread when it starts.
struct WriterStart: Sendable {
    /// The last segment, reopened for writing, or nil for an empty journal.
    var segment: OpenSegment?
    /// The sequence number of the next record.
    var nextSequence: UInt64
    /// The id for the next segment created: one more than the largest seen.
    var nextSegmentID: UInt64
    /// What recovery found that may mean synced records are gone.
    var findings = OpenFindings()
}
