import PaxosProtocol

extension PaxosLogClient {
    /// Reads committed entries from `start` on (from the log's first index when nil) and hands
    /// them to `onEntries` in index order.
    ///
    /// - An explicit `start` below the first index fails with `ClientError.trimmed`: entries the
    ///   caller asked for are gone. Without one, the read starts at the first index, and moves on
    ///   to it if a trim passes the reader (like a Kafka consumer reset to the earliest offset).
    ///
    /// - Without `node`: the first read goes through the leader, which confirms its leadership
    ///   with a majority first, so nothing acknowledged before the call is missing; the rest of
    ///   that snapshot is read in chunks.
    /// - With `node`: node `node`'s own committed prefix, no leader round trip.
    /// - With `follow`: after the snapshot, keeps waiting for new entries (long polls) until the
    ///   task is cancelled, moving to another node when one goes away.
    public func tail(
        from start: UInt64?, follow: Bool, node: UInt32? = nil, timeout: Duration = .seconds(30),
        onEntries: ([(index: UInt64, data: [UInt8])]) throws -> Void
    ) async throws {
        var next = max(start ?? 1, 1)
        let skipsTrimmed = start == nil
        var target = node ?? cluster.nodes.first?.id ?? 1
        let deadline = ContinuousClock.now + timeout
        var requestID: UInt64 = 1
        var silent = SilentNodes()

        // 1. The snapshot end: a linearizable read through the leader, or the node's own prefix.
        var snapshotEnd: UInt64 = 0
        var lastError = "no node answered"
        while true {
            guard ContinuousClock.now < deadline else {
                throw ClientError(
                    "cannot read the log within \(timeout) (is a majority of nodes running?): \(lastError)")
            }
            let mode: ReadMode = node == nil ? .linearizable : .local
            do {
                let result = try await read(ReadRequest(requestID: requestID, mode: mode, fromIndex: next), at: target)
                requestID += 1
                silent.answered(target)
                switch result.status {
                case .ok:
                    snapshotEnd = result.endIndex
                    try deliver(result, next: &next, skipsTrimmed: skipsTrimmed, onEntries: onEntries)
                case .notLeader(let leader):
                    lastError = "node \(target) is not the leader"
                    // A leader this client just failed to reach may still be named while the
                    // others elect a new one: ask another node instead (``SilentNodes``).
                    if let leader, !silent.isSuspect(leader, at: .now) {
                        target = leader
                    } else {
                        target = silent.next(after: target, among: cluster.nodes.map(\.id), at: .now)
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    continue
                case .failed(let message):
                    throw ClientError("node \(target) could not serve the read: \(message)")
                case .trimmed(let firstIndex):
                    try skip(to: firstIndex, next: &next, allowed: skipsTrimmed)
                    continue
                case .notHeld(let firstHeld):
                    // The leader confirmed the snapshot but caught up past a trim itself: the
                    // entries below what it holds are read from another node.
                    guard node == nil else { throw ClientError.notHeld(node: target, from: next, firstHeld: firstHeld) }
                    snapshotEnd = result.endIndex
                    target = nextNode(after: target)
                }
            } catch let error as ClientError {
                throw error
            } catch let error as CallbackFailure {
                throw error.underlying
            } catch {
                lastError = "node \(target): \(error)"
                if node != nil { throw ClientError("cannot read from node \(target): \(error)") }
                silent.failed(target, at: .now)
                target = silent.next(after: target, among: cluster.nodes.map(\.id), at: .now)
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            break
        }

        // 2. The rest of the snapshot, in chunks; committed entries never change, so any node that
        //    has them may serve them.
        while next <= snapshotEnd {
            let request = ReadRequest(requestID: requestID, mode: .local, fromIndex: next, upTo: snapshotEnd)
            requestID += 1
            let before = next
            do {
                let result = try await read(request, at: target)
                try deliver(result, next: &next, skipsTrimmed: skipsTrimmed, onEntries: onEntries)
            } catch let error as ClientError {
                throw error
            } catch let error as CallbackFailure {
                throw error.underlying
            } catch {
                // The node went away; another one has the same committed entries.
                guard node == nil else { throw ClientError("lost node \(target): \(error)") }
            }
            if next == before {
                // This node is gone or behind the snapshot; ask another one.
                guard node == nil else { throw ClientError("node \(target) stopped at index \(next - 1)") }
                guard ContinuousClock.now < deadline else {
                    throw ClientError("cannot read entries from \(next) on within \(timeout)")
                }
                target = nextNode(after: target)
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        guard follow else { return }

        // 3. Follow: long polls for whatever commits next.
        while !Task.isCancelled {
            do {
                let request = ReadRequest(requestID: requestID, mode: .follow, fromIndex: next, waitMilliseconds: 1000)
                requestID += 1
                let result = try await read(request, at: target)
                try deliver(result, next: &next, skipsTrimmed: skipsTrimmed, onEntries: onEntries)
            } catch let error as ClientError {
                throw error
            } catch let error as CallbackFailure {
                throw error.underlying
            } catch {
                if node != nil { throw ClientError("lost node \(target): \(error)") }
                silent.failed(target, at: .now)
                target = silent.next(after: target, among: cluster.nodes.map(\.id), at: .now)
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    private func deliver(
        _ result: ReadResult, next: inout UInt64, skipsTrimmed: Bool,
        onEntries: ([(index: UInt64, data: [UInt8])]) throws -> Void
    ) throws {
        if case .trimmed(let firstIndex) = result.status {
            try skip(to: firstIndex, next: &next, allowed: skipsTrimmed)
            return
        }
        if case .notHeld = result.status {
            throw NotHeldHere()  // like a node gone: the caller asks another one
        }
        guard case .ok = result.status, !result.entries.isEmpty else { return }
        guard result.firstIndex == next else {
            throw ClientError("asked for entries from \(next), the node answered from \(result.firstIndex)")
        }
        let batch = result.entries.enumerated().map { (index: next + UInt64($0.offset), data: $0.element) }
        next += UInt64(result.entries.count)
        do {
            try onEntries(batch)
        } catch {
            // The caller's own error ends the read as it is: it is not a node failing.
            throw CallbackFailure(underlying: error)
        }
    }

    /// The node says the entries from `next` on were trimmed up to `firstIndex`.
    private func skip(to firstIndex: UInt64, next: inout UInt64, allowed: Bool) throws {
        guard allowed else { throw ClientError.trimmed(requested: next, firstIndex: firstIndex) }
        next = max(next, firstIndex)
    }

    /// A node does not hold the entries asked for (it caught up past a trim from a base).
    private struct NotHeldHere: Error {}

    /// An error thrown by the caller's `onEntries`, carried past the retries for node failures.
    private struct CallbackFailure: Error {
        var underlying: any Error
    }

    func nextNode(after node: UInt32) -> UInt32 {
        let ids = cluster.nodes.map(\.id).sorted()
        return ids.first { $0 > node } ?? ids.first ?? node
    }
}
