/// How much of the log the cluster keeps: the leader trims (through the log, like `paxoslog
/// trim`) whatever lies beyond either bound. Zero means no bound.
public struct RetentionPolicy: Hashable, Sendable {
    /// Keep at most about this many entries (the latest ones).
    public var entries: UInt64 = 0
    /// Keep at most about this many bytes of log segments on disk (the latest segments).
    public var bytes: UInt64 = 0

    public init(entries: UInt64 = 0, bytes: UInt64 = 0) {
        self.entries = entries
        self.bytes = bytes
    }

    public var isEnabled: Bool { entries > 0 || bytes > 0 }

    /// The first index `entries` asks for, with the log from `first` through `last`: only once
    /// the log holds a tenth more than the bound (at least 1,024 more), so that a steady stream of
    /// appends costs a trim now and then, not one per check.
    func firstIndexForEntries(first: UInt64, last: UInt64) -> UInt64? {
        guard entries > 0, last >= first else { return nil }
        let held = last - first + 1
        let slack = max(entries / 10, 1_024)
        guard held > entries + slack else { return nil }
        return last - entries + 1
    }
}
