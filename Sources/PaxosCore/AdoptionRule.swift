/// Paxos's adoption rule, the proposer's half of its safety: after phase 1, a proposer must ask
/// the acceptors to accept the value of the highest-numbered proposal that any acceptor in its
/// quorum of promises reported having accepted; only when none reported one may it propose its
/// own. Written once, here: the single-decree ``Proposer`` and the replicated log's new leader
/// (per slot) both decide with it.
public enum AdoptionRule {
    /// Whether a reported vote cast under `reported` replaces the one cast under `current` as the
    /// value to carry forward (nil: no vote reported yet).
    public static func prefers(_ reported: ProposalID?, over current: ProposalID?) -> Bool {
        reported > current
    }
}
