/// What appenders and the writer thread share, always accessed under the queue's mutex.
struct WriterQueue: Sendable {
    /// Requests not yet taken by the writer, oldest first.
    var pending: [PendingAppend] = []
    /// Set by a final failure (fdatasync or write error): every later append fails with it.
    var failure: JournalError?
    /// Set by `close()`: the writer drains what is queued, then exits.
    var closing = false
    /// True while the writer waits on its semaphore; whoever clears it must signal once.
    var writerSleeping = false
    /// While the writer sleeps, an appender wakes it only once `pending` holds this many requests
    /// (1 when idle; more while it waits for the appenders it just completed to come back).
    var wakeAtCount = 1
}
