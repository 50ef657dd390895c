import PaxosProtocol

/// Which client entries are already in the log, and at which index.
///
/// Rebuilt from the log itself as slots are applied (on every replica, and again on restart), so
/// a retry is recognised after a leader change or a crash. Each session remembers its most recent
/// `window` sequence numbers; a client keeps far fewer than that in flight.
struct DedupTable: Sendable {
    private struct Session: Sendable {
        var highest: UInt64 = 0
        var indexBySequence: [UInt64: UInt64] = [:]

        mutating func record(_ sequence: UInt64, index: UInt64, window: UInt64) {
            indexBySequence[sequence] = index
            highest = max(highest, sequence)
            // Forget in bulk once the table holds twice the window, so pruning stays cheap.
            if UInt64(indexBySequence.count) > 2 * window {
                let floor = highest > window ? highest - window : 0
                indexBySequence = indexBySequence.filter { $0.key > floor }
            }
        }
    }

    let window: UInt64
    private var sessions: [UInt64: Session] = [:]

    init(window: UInt64) {
        self.window = window
    }

    /// The index of `key` if it is in the log.
    func index(of key: ClientKey) -> UInt64? {
        sessions[key.session]?.indexBySequence[key.sequence]
    }

    /// Records that `key` was applied at `index`.
    mutating func record(_ key: ClientKey, index: UInt64) {
        // Modified in place through the subscript: copying the session out and back would copy
        // its whole table for every entry.
        sessions[key.session, default: Session()].record(key.sequence, index: index, window: window)
    }
}
