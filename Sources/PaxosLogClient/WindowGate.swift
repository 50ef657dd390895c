/// Bounds how many appended entries are in flight: the input side waits while the window is full
/// and the pipeline releases room as entries commit.
actor WindowGate {
    private let limit: Int
    private var outstanding = 0
    private var waiter: CheckedContinuation<Void, Never>?

    init(limit: Int) { self.limit = limit }

    /// Counts `count` more entries in flight; suspends while the window is full.
    func admit(_ count: Int) async {
        outstanding += count
        if outstanding >= limit {
            await withCheckedContinuation { waiter = $0 }
        }
    }

    /// `count` entries left the window.
    func release(_ count: Int) {
        outstanding -= count
        if outstanding < limit, let waiter {
            self.waiter = nil
            waiter.resume()
        }
    }
}
