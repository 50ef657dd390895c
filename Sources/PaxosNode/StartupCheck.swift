import PaxosJournal

/// What a node concludes about its own state when it starts: whether it may vote at once, or lost
/// state and must rebuild it from the others first (see `Replica+Amnesia.swift`).
///
/// The findings that mean "state may be lost":
/// - no identity file in a directory that is not being set up for a new cluster (deleted, or a new
///   disk), or an identity that says the node ran here before but no journal;
/// - a torn or damaged last batch, or a last segment shorter than preallocated (truncated);
/// - damage in the middle of the journal, which `JournalRepairOnStart` cut.
/// A journal restored whole from an older copy together with its identity is not detected here.
struct StartupCheck {
    /// The identity to run under: a new incarnation when state was lost.
    var identity: NodeIdentity
    /// Why the node must rebuild before it votes; nil when its state is whole.
    var lostState: String?

    /// - Parameters:
    ///   - found: the identity file as found before the journal was opened.
    ///   - journalExisted: whether the journal directory held segments before it was opened.
    ///   - isNewCluster: the operator says this directory is being set up for a new cluster.
    ///   - coverageGap: what `coverageGap(checkpoint:journalFirst:journalLast:)` found.
    ///   - repaired: what `JournalRepairOnStart` cut from a damaged journal.
    static func examine(
        found: NodeIdentity?, journalExisted: Bool, findings: OpenFindings, coverageGap: String? = nil,
        repaired: String? = nil, isNewCluster: Bool, clusterID: UInt64, nodeID: UInt32, dataDirectory: String
    ) throws(NodeError) -> StartupCheck {
        if let found, found.clusterID != clusterID || found.nodeID != nodeID {
            throw NodeError(
                "\(dataDirectory) belongs to node \(found.nodeID) of another cluster or member, not node \(nodeID) "
                    + "of this one; refusing to start (use an empty directory for a new member)")
        }
        var identity = found ?? NodeIdentity(clusterID: clusterID, nodeID: nodeID, hasStarted: true)
        identity.hasStarted = true
        var reasons: [String] = []
        switch (found, journalExisted) {
        case (nil, false) where isNewCluster:
            break
        case (nil, false):
            reasons.append("the data directory has no identity file and no journal (deleted, or a new disk)")
        case (nil, true):
            reasons.append("the data directory has a journal but no identity file")
        case (let found?, false) where found.hasStarted:
            reasons.append("the journal is missing from a directory this node ran in before")
        default:
            break
        }
        if let loss = findings.possibleLoss { reasons.append(loss) }
        if let coverageGap { reasons.append(coverageGap) }
        if let repaired { reasons.append(repaired) }
        guard !reasons.isEmpty else { return StartupCheck(identity: identity, lostState: nil) }
        identity.incarnation = .random(in: 1...UInt64.max)
        return StartupCheck(identity: identity, lostState: reasons.joined(separator: "; "))
    }

    /// Whether the checkpoint and the journal together still cover the node's whole history: the
    /// journal must hold every record after the checkpoint's position, and without a checkpoint it
    /// must start at its first record.
    static func coverageGap(checkpoint: UInt64?, journalFirst: UInt64, journalLast: UInt64) -> String? {
        guard let covered = checkpoint else {
            return journalFirst > 1
                ? "the journal starts at record \(journalFirst) but there is no checkpoint covering the records before it"
                : nil
        }
        if journalLast < covered {
            return "the journal ends at record \(journalLast), before record \(covered) that the checkpoint covers"
        }
        if journalFirst > covered + 1 {
            return
                "the journal starts at record \(journalFirst), but the checkpoint covers only the records through \(covered)"
        }
        return nil
    }
}
