import PaxosProtocol

/// Which client entries are already in the log, and at which index.
///
/// Rebuilt from the log itself as slots are applied (on every replica, and again on restart), so
/// a retry is recognised after a leader change or a crash. Each session remembers its most recent
/// `window` sequence numbers; a client keeps far fewer than that in flight. The whole table holds
/// at most `maxKeys` keys: past that, the sessions that appended least recently are forgotten
/// whole. Everything here depends only on the log's contents, so every replica forgets the same.
///
/// Past either bound a retry is not recognised and is appended again: a retry of a sequence
/// number more than `window` below its session's highest, or from a session forgotten because
/// `maxKeys` newer keys arrived from other sessions since it last appended.
struct DedupTable: Sendable {
    private struct Session: Sendable {
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
    private var sessions: [UInt64: Session] = [:]
    /// Keys held over all sessions.
    private(set) var keyCount = 0

    init(window: UInt64, maxKeys: Int) {
        self.window = window
        self.maxKeys = max(maxKeys, Int(clamping: 2 * window))
    }

    /// How many sessions are remembered.
    var sessionCount: Int { sessions.count }

    /// The index of `key` if it is in the log.
    func index(of key: ClientKey) -> UInt64? {
        sessions[key.session]?.indexBySequence[key.sequence]
    }

    /// The table as plain values, for a checkpoint.
    var sessionSnapshots: [DedupSessionSnapshot] {
        sessions.map { session, state in
            let pairs = state.indexBySequence.sorted { $0.key < $1.key }
            return DedupSessionSnapshot(
                session: session, highest: state.highest, lastIndex: state.lastIndex, sequences: pairs.map(\.key),
                indexes: pairs.map(\.value))
        }.sorted { $0.session < $1.session }
    }

    /// The table a checkpoint recorded.
    init(window: UInt64, maxKeys: Int, sessions snapshots: [DedupSessionSnapshot]) {
        self.init(window: window, maxKeys: maxKeys)
        for snapshot in snapshots {
            var session = Session(highest: snapshot.highest, lastIndex: snapshot.lastIndex)
            session.indexBySequence = Dictionary(
                zip(snapshot.sequences, snapshot.indexes), uniquingKeysWith: { first, _ in first })
            keyCount += session.indexBySequence.count
            sessions[snapshot.session] = session
        }
    }

    /// Records that `key` was applied at `index`.
    mutating func record(_ key: ClientKey, index: UInt64) {
        // Modified in place through the subscript: copying the session out and back would copy
        // its whole table for every entry.
        keyCount += sessions[key.session, default: Session()].record(key.sequence, index: index, window: window)
        if keyCount > maxKeys { forgetLeastRecentSessions(keeping: key.session) }
    }

    /// Forgets whole sessions, least recently appended first, down to three quarters of the
    /// bound, so that this runs once per many entries.
    private mutating func forgetLeastRecentSessions(keeping current: UInt64) {
        let target = maxKeys / 4 * 3
        for (session, state) in sessions.sorted(by: { $0.value.lastIndex < $1.value.lastIndex }) {
            guard keyCount > target else { break }
            guard session != current else { continue }
            keyCount -= state.indexBySequence.count
            sessions[session] = nil
        }
    }
}
