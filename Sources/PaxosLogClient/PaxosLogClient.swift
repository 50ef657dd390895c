import Foundation
import NIOCore
import NIOPosix
import PaxosProtocol
import PaxosTransport
import Synchronization

/// A client of a paxoslog cluster: append entries, read the log, ask a node for its status.
///
/// Every stream of appends (each `append` call, each `appendStream`) is a session of its own,
/// with a random id and its entries numbered 1, 2, 3, …: a retry after a timeout or a leader
/// change never appends an entry twice, and the log keeps each stream's entries in input order.
/// Concurrent streams are independent of each other.
public final class PaxosLogClient: Sendable {
    public let cluster: ClusterDescription
    let group: EventLoopGroup

    public init(cluster: ClusterDescription) {
        self.cluster = cluster
        group = MultiThreadedEventLoopGroup.singleton
    }

    /// A client for the cluster described in `DIR/cluster.json`.
    public convenience init(clusterDirectory: String) throws(ClientError) {
        self.init(cluster: try ClusterDescription.load(from: clusterDirectory))
    }

    /// Appends one entry and returns its index once a majority has it on disk.
    public func append(_ entry: [UInt8], timeout: Duration = .seconds(30)) async throws -> UInt64 {
        let indexes = try await append(contentsOf: [entry], timeout: timeout)
        guard let index = indexes.first else { throw ClientError("append did not complete") }
        return index
    }

    /// Appends entries in order; returns their indexes in the same order.
    public func append(contentsOf entries: [[UInt8]], timeout: Duration = .seconds(30)) async throws -> [UInt64] {
        let delivered = Mutex(false)
        var indexes: [UInt64] = []
        let report = try await appendStream(timeout: timeout) {
            delivered.withLock { done -> [[UInt8]]? in
                defer { done = true }
                return done ? nil : entries
            }
        } onCommitted: { batch in
            indexes += batch.map(\.index)
        }
        guard report.unconfirmed == 0 else {
            throw ClientError(
                "\(report.unconfirmed) of \(entries.count) entries could not be confirmed within \(timeout)")
        }
        return indexes
    }

    /// Streams entries: `nextBatch` returns the next entries (nil at the end); many are in flight
    /// at once, and `onCommitted` receives (input position, log index) pairs in input order as
    /// entries commit.
    public func appendStream(
        timeout: Duration = .seconds(30), window: Int = 50_000, preferredNode: UInt32? = nil,
        nextBatch: @escaping @Sendable () async throws -> [[UInt8]]?,
        onCommitted: ([(position: Int, index: UInt64)]) -> Void
    ) async throws -> AppendReport {
        let loop = group.next()
        let pipeline = makePipeline(timeout: timeout, preferredNode: preferredNode)
        let gate = WindowGate(limit: window)
        let (commits, commitSink) = AsyncStream<[(position: Int, index: UInt64)]>.makeStream()
        let driver = EventLoopAppendDriver(
            pipeline: pipeline, cluster: cluster, loop: loop, onCommitted: { commitSink.yield($0) },
            onReleased: { gate.release($0) })
        driver.result.whenComplete { _ in
            gate.close()
            commitSink.finish()
        }
        driver.start()
        // The producer: reads input while the window has room, hands it to the pipeline's loop.
        let input = Task {
            do {
                while let batch = try await nextBatch() {
                    if batch.isEmpty { continue }
                    driver.send(.input(batch))
                    await gate.admit(batch.count)
                }
                driver.send(.inputFinished)
            } catch {
                driver.send(.inputFailed("\(error)"))
            }
        }
        defer { input.cancel() }
        // Indexes come back here, in input order, to run the caller's closure on its own task.
        for await batch in commits { onCommitted(batch) }
        return try await driver.result.get()
    }

    /// A pipeline for one stream: a session of its own.
    func makePipeline(timeout: Duration, preferredNode: UInt32?) -> AppendPipeline {
        AppendPipeline(
            nodes: cluster.nodes.map(\.id), session: UInt64.random(in: 1...UInt64.max), timeout: timeout,
            preferredNode: preferredNode, now: .now)
    }

    /// Node `id`'s view of itself.
    public func status(of id: UInt32, timeout: TimeAmount = .seconds(2)) async throws -> NodeStatus {
        let reply = try await roundTrip(
            Frame(kind: FrameKind.statusRequest, payload: []), expecting: FrameKind.statusResult, at: id,
            timeout: timeout)
        return try JSONDecoder().decode(NodeStatus.self, from: Data(reply.payload))
    }

    /// One read request to node `id`.
    public func read(_ request: ReadRequest, at id: UInt32) async throws -> ReadResult {
        let reply = try await roundTrip(
            Frame(kind: FrameKind.readRequest, payload: request.encoded()), expecting: FrameKind.readResult, at: id,
            timeout: .seconds(Int64(request.waitMilliseconds / 1000) + 10))
        return try ReadResult(decoding: reply.payload)
    }
}
