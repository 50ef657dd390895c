import Foundation
import PaxosLogClient
import PaxosTestSupport
import Synchronization
import Testing

extension ClusterEndToEndTests {
    /// The embedded client: many tasks share one session while the leader is killed under them.
    /// Every call gets its own index, and the log holds each entry exactly once, at that index.
    @Test func aSessionSharedByManyTasksSurvivesLosingTheLeader() async throws {
        try await withCluster { cluster in
            let leader = try await cluster.leader()
            let session = PaxosLogClient(cluster: try cluster.description).openSession(timeout: .seconds(60))
            let (tasks, perTask) = (16, 150)
            let done = Counter()
            let killer = Task {
                while done.value < tasks * perTask / 4 { try await Task.sleep(for: .milliseconds(5)) }
                let doneAtKill = done.value
                try await cluster.kill9(leader)
                return doneAtKill
            }
            let indexes = try await withThrowingTaskGroup(of: [(String, UInt64)].self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        var mine: [(String, UInt64)] = []
                        for number in 0..<perTask {
                            let entry = "task \(task) entry \(number)"
                            mine.append((entry, try await session.append(Array(entry.utf8))))
                            done.increment()
                        }
                        return mine
                    }
                }
                var all: [(String, UInt64)] = []
                for try await part in group { all += part }
                return all
            }
            let doneAtKill = try await killer.value
            await session.close()
            #expect(doneAtKill < tasks * perTask / 2, "the leader died while appends were in flight")

            #expect(indexes.count == tasks * perTask)
            #expect(Set(indexes.map(\.1)).count == indexes.count, "every call has its own index")
            let log = try await cluster.run(["tail", "--cluster", cluster.dir]).stdoutLines
            let byIndex = Dictionary(
                uniqueKeysWithValues: log.compactMap { line -> (UInt64, String)? in
                    let parts = line.split(separator: "\t", maxSplits: 1)
                    guard parts.count == 2, let index = UInt64(parts[0]) else { return nil }
                    return (index, String(parts[1]))
                })
            #expect(byIndex.count == log.count)
            #expect(Set(byIndex.values).count == byIndex.count, "no entry appears twice")
            for (entry, index) in indexes {
                #expect(byIndex[index] == entry, "index \(index) holds \(entry)")
            }
        }
    }
}

extension ClusterEndToEndTests {
    /// Without a majority a session's append fails once the timeout passes, saying why, and so
    /// does every later append on that session.
    @Test func aSessionWithoutAMajorityFailsAfterItsTimeout() async throws {
        try await withCluster { cluster in
            try await cluster.kill9(2)
            try await cluster.kill9(3)
            let session = PaxosLogClient(cluster: try cluster.description).openSession(timeout: .seconds(2))
            let started = ContinuousClock.now
            await #expect(throws: ClientError.self) { _ = try await session.append(Array("lost?".utf8)) }
            #expect(ContinuousClock.now - started >= .seconds(2))
            do {
                _ = try await session.append(Array("later".utf8))
                Issue.record("an append after the timeout succeeded")
            } catch let error as ClientError {
                #expect("\(error)".contains("could not be confirmed"), "\(error)")
            }
            await session.close()
        }
    }
}

/// A count shared by tasks.
private final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
