import PaxosLogStore

extension NodeCore {
    /// A read of the log store met damage (a sealed segment is verified only as it is read): the
    /// node marks the store for repair and stops, like a node whose disk failed a write. Serving
    /// on would leave a peer that needs those slots asking this node in vain, and a client reading
    /// them refused; the next start cuts the store there and fetches the rest from the peers
    /// (`LogStoreRepairOnStart`). Returns true when it was damage, and the node stopped.
    func stopIfDamaged(_ error: LogStoreError) -> Bool {
        guard LogStoreRepairOnStart.isDamage(error) else { return false }
        do {
            try LogStore.markDamaged(directory: logStore.directory, reason: "\(error)")
        } catch {
            logger.error("cannot mark the log store for repair: \(error)")
        }
        fail(NodeError("the log store is damaged (\(error)); start the node again to repair it from its peers"))
        return true
    }
}
