/// The roles in the flavour of cocagne/python-composable-paxos, for callers that drive each role
/// directly and send what it returns.
///
/// They are the same Paxos as `Proposer` and `Learner` (each wraps one and reuses its rules: the
/// adoption of the highest accepted value, the learner's tally), with the three behaviours in which
/// the composable seed differs from the practical one:
/// - a proposer's proposal id starts at (0, uid) instead of nil, so a proposer made leader by its
///   caller (leadership carried over from elsewhere) sends an accept as soon as it has a value;
/// - a quorum of NACKs for the current proposal, prepare or accept NACKs alike, ends leadership
///   and returns the next prepare, above every id the NACKs reported;
/// - a learner answers every accepted message after the resolution with the resolution again, so
///   a peer that reports a late vote is told the outcome.
public enum Composable {}
