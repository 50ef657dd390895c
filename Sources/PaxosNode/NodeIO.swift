import PaxosLogStore

/// What a node core does its I/O through, apart from its clients' channels: the journal, the log
/// store and its writes, and the links to peers. `NodeServer` passes the real ones; the whole-node
/// simulation passes fakes it drives with its seed.
struct NodeIO {
    var journal: any NodeJournal
    /// The committed log on disk: applied slots go here; reads and old catch-up come from here.
    var logStore: LogStore
    /// Where the core's writes to `logStore` go (the store itself, in a node process).
    var logStoreWriter: any LogStoreWriter
    var dialer: any PeerDialer
}
