/// What opening a journal found that may mean records written and synced earlier are gone.
///
/// The journal itself goes on (a torn tail is cut, as after any crash), but a caller that vouched
/// for its records to others (a Paxos acceptor) must know it may have forgotten some: a torn tail
/// is what a crash mid-write leaves, but it is also what a damaged last batch looks like, and a
/// last segment shorter than it was preallocated was cut by something other than this journal.
public struct OpenFindings: Sendable, Hashable {
    /// The torn tail cut from the last segment at this open, if any.
    public var tornTail: String?
    /// The last segment is shorter than segments are preallocated to: the file was truncated.
    public var truncatedSegment: String?
    /// `HEAD` names a segment newer than any present (or cannot be read): the newest segments
    /// were deleted.
    public var missingSegments: String?
    /// The journal ends below the durable sequence recorded in `REACHED`: synced records were lost.
    public var lostTail: String?

    public init(tornTail: String? = nil, truncatedSegment: String? = nil, missingSegments: String? = nil) {
        self.tornTail = tornTail
        self.truncatedSegment = truncatedSegment
        self.missingSegments = missingSegments
    }

    /// A one-line account of what may be lost, or nil when the journal looks whole.
    public var possibleLoss: String? {
        let findings = [
            tornTail.map { "a damaged or torn last batch (\($0))" }, truncatedSegment, missingSegments, lostTail,
        ]
        .compactMap { $0 }
        return findings.isEmpty ? nil : findings.joined(separator: "; ")
    }
}
