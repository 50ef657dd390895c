import PaxosProtocol

/// Which client entries are already in the log, at which index, and which entry each client
/// session may append next.
///
/// A session is one ordered stream of entries numbered 1, 2, 3, … (the client library opens a new
/// session for every stream). The log takes a session's entries only in that order: sequence
/// `highest + 1` is appended, a sequence at or below `highest` is a retry of an entry already in
/// the log, and one further on arrived before its predecessor (the predecessor was in a batch lost
/// with a leader that died, and the client will send it again) and takes no index, so a stream's
/// entries keep their input order in the log. This is the rule of Kafka's idempotent producer.
///
/// Rebuilt from the log itself as slots are applied (on every replica, and again on restart), so
/// everything here depends only on the log's contents and every replica decides the same.
///
/// Bounds: each session remembers the index of its most recent `window` sequence numbers; the
/// whole table holds at most `maxKeys` of them, and past that the sessions that appended least
/// recently keep only their `highest` (a retry of theirs is still never appended twice, but its
/// index is no longer known). At most `maxSessions` sessions are remembered at all; one forgotten
/// entirely starts over: its next entry is taken only if it is its first.
struct DedupTable: Sendable {
    /// What applying an entry with a given key does.
    enum Admission: Equatable, Sendable {
        /// The entry is its session's next: it takes the next log index.
        case append
        /// The entry is already in the log, at `index` if that is still remembered.
        case duplicate(index: UInt64?)
        /// The entry came before its predecessor, sequence `expected`: it takes no index.
        case outOfOrder(expected: UInt64)
    }

    private struct Session: Sendable {
        /// The sequence of the session's last entry in the log; its entries 1...highest all are.
        var highest: UInt64 = 0
        /// The index of the session's latest entry: orders sessions for forgetting.
        var lastIndex: UInt64 = 0
        var indexBySequence: [UInt64: UInt64] = [:]

        init(highest: UInt64 = 0, lastIndex: UInt64 = 0) {
            self.highest = highest
            self.lastIndex = lastIndex
        }

        /// Records one entry; returns how many keys the session's table gained (may be negative).
        mutating func record(_ sequence: UInt64, index: UInt64, window: UInt64) -> Int {
            let before = indexBySequence.count
            indexBySequence[sequence] = index
            highest = max(highest, sequence)
            lastIndex = max(lastIndex, index)
            // Forget in bulk once the table holds twice the window, so pruning stays cheap.
            if UInt64(indexBySequence.count) > 2 * window {
                let floor = highest > window ? highest - window : 0
                indexBySequence = indexBySequence.filter { $0.key > floor }
            }
            return indexBySequence.count - before
        }
    }

    let window: UInt64
    let maxKeys: Int
    let maxSessions: Int
    private var sessions: [UInt64: Session] = [:]
    /// Keys held over all sessions.
    private(set) var keyCount = 0

    init(window: UInt64, maxKeys: Int, maxSessions: Int) {
        self.window = window
        self.maxKeys = max(maxKeys, Int(clamping: 2 * window))
        self.maxSessions = max(maxSessions, 2)
    }

    /// How many sessions are remembered.
    var sessionCount: Int { sessions.count }

    /// The index of `key` if it is in the log and still remembered.
    func index(of key: ClientKey) -> UInt64? {
        sessions[key.session]?.indexBySequence[key.sequence]
    }

    /// What applying an entry with `key` now would do.
    func admission(of key: ClientKey) -> Admission {
        let highest = sessions[key.session]?.highest ?? 0
        if key.sequence <= highest { return .duplicate(index: index(of: key)) }
        if key.sequence == highest + 1 { return .append }
        return .outOfOrder(expected: highest + 1)
    }

    /// The table as plain values, for a checkpoint. A session that keeps only its `highest` has
    /// no sequences.
    var sessionSnapshots: [DedupSessionSnapshot] {
        sessions.map { session, state in
            let pairs = state.indexBySequence.sorted { $0.key < $1.key }
            return DedupSessionSnapshot(
                session: session, highest: state.highest, lastIndex: state.lastIndex, sequences: pairs.map(\.key),
                indexes: pairs.map(\.value))
        }.sorted { $0.session < $1.session }
    }

    /// An empty table with the bounds of `configuration`.
    init(bounds configuration: ReplicaConfiguration) {
        self.init(
            window: configuration.dedupWindow, maxKeys: configuration.dedupMaxKeys,
            maxSessions: configuration.dedupMaxSessions)
    }

    /// The table a checkpoint or a log base recorded.
    init(bounds configuration: ReplicaConfiguration, sessions snapshots: [DedupSessionSnapshot]) {
        self.init(bounds: configuration)
        for snapshot in snapshots {
            var session = Session(highest: snapshot.highest, lastIndex: snapshot.lastIndex)
            session.indexBySequence = Dictionary(
                zip(snapshot.sequences, snapshot.indexes), uniquingKeysWith: { first, _ in first })
            keyCount += session.indexBySequence.count
            sessions[snapshot.session] = session
        }
    }

    /// Records that `key`, admitted as `.append`, was applied at `index`.
    mutating func record(_ key: ClientKey, index: UInt64) {
        // Modified in place through the subscript: copying the session out and back would copy
        // its whole table for every entry.
        keyCount += sessions[key.session, default: Session()].record(key.sequence, index: index, window: window)
        if keyCount > maxKeys { forgetIndexesOfLeastRecentSessions(keeping: key.session) }
        if sessions.count > maxSessions { forgetLeastRecentSessions(keeping: key.session) }
    }

    /// The sessions that appended least recently keep only their `highest`, down to three
    /// quarters of the key bound, so that this runs once per many entries.
    private mutating func forgetIndexesOfLeastRecentSessions(keeping current: UInt64) {
        let target = maxKeys / 4 * 3
        for (session, state) in sessions.sorted(by: { $0.value.lastIndex < $1.value.lastIndex }) {
            guard keyCount > target else { break }
            guard session != current, !state.indexBySequence.isEmpty else { continue }
            keyCount -= state.indexBySequence.count
            sessions[session]?.indexBySequence = [:]
        }
    }

    /// Forgets whole sessions, least recently appended first, down to three quarters of the
    /// session bound.
    private mutating func forgetLeastRecentSessions(keeping current: UInt64) {
        let target = maxSessions / 4 * 3
        for (session, state) in sessions.sorted(by: { $0.value.lastIndex < $1.value.lastIndex }) {
            guard sessions.count > target else { break }
            guard session != current else { continue }
            keyCount -= state.indexBySequence.count
            sessions[session] = nil
        }
    }
}
