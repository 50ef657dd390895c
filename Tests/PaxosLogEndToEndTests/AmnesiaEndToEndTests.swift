import Foundation
import PaxosTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A node that lost its state (a truncated journal, a deleted data directory, a journal damaged in
/// the middle) must not vote until it has rebuilt its state from a majority of the others: the
/// schedule fault injection found.
@Suite(.serialized) struct AmnesiaEndToEndTests {
    enum Loss: String, CaseIterable, Sendable {
        case truncatedJournal, deletedDataDirectory, zeroedJournal, damagedFrameInTheMiddle
    }

    /// F down; 2,000 entries acknowledged by the leader L and follower V only; V frozen, killed and
    /// its state damaged; L killed; F and V restarted. V and F alone must not form a
    /// majority; once L is back, every acknowledged entry is at its index on every node.
    @Test(arguments: Loss.allCases)
    func aNodeWithLostStateDoesNotVoteUntilItRebuilds(loss: Loss) async throws {
        try await withCluster { cluster in
            let leader = try await cluster.leader()
            let others = try cluster.description.nodes.map(\.id).filter { $0 != leader }
            let (absent, forgetful) = (others[0], others[1])
            // Killed, not frozen: a frozen node keeps what its peers sent in its socket buffers and
            // would accept all of it on resuming.
            try await cluster.kill9(absent)

            let lines = (1...2000).map { "acknowledged \($0)" }
            let appended = try await cluster.run(
                ["append", "--cluster", cluster.dir, "--timeout", "60"],
                stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
            try #require(appended.status == 0, "\(appended.stderr)\n\(LocalCluster.logs(cluster.dir))")
            try #require(appended.stdoutLines == (1...2000).map(String.init))

            // The forgetful node stops (frozen first, as a paused VM would be) and loses its state.
            let forgetfulPid = try #require(cluster.pid(of: forgetful))
            kill(forgetfulPid, SIGSTOP)
            try await cluster.kill9(forgetful)
            try damage(node: forgetful, in: cluster, loss)
            try await cluster.kill9(leader)
            try cluster.restart(absent)
            try cluster.restart(forgetful)
            // The returning node never saw the acknowledged entries, and nobody alive has them.
            var absentLog = try await cluster.run(["tail", "--cluster", cluster.dir, "--node", "\(absent)"])
            for _ in 0..<50 where absentLog.status != 0 {
                try await Task.sleep(for: .milliseconds(100))
                absentLog = try await cluster.run(["tail", "--cluster", cluster.dir, "--node", "\(absent)"])
            }
            try #require(absentLog.status == 0 && absentLog.stdoutLines.isEmpty, "\(absentLog.stdoutLines.count)")

            // Without the old leader, nothing may commit: the forgetful node does not vote.
            let intruder = try await cluster.run([
                "append", "--cluster", cluster.dir, "--timeout", "5", "written without the old leader",
            ])
            #expect(intruder.status != 0, "an append committed without any node that held the acknowledged entries")
            let log = try String(contentsOfFile: cluster.dir + "/node-\(forgetful).log", encoding: .utf8)
            #expect(log.contains("may have lost state"), "\(log.suffix(2000))")
            if loss == .damagedFrameInTheMiddle {
                // It started anyway: cut at the damage, the damaged file kept beside.
                #expect(log.contains("the journal is damaged"), "\(log.suffix(2000))")
                let kept = try FileManager.default.contentsOfDirectory(
                    atPath: cluster.dir + "/node-\(forgetful)/journal")
                #expect(kept.contains { $0.hasSuffix(".broken") }, "\(kept)")
                // And `inspect` says what was cut.
                let inspect = try await cluster.run(["inspect", cluster.dir + "/node-\(forgetful)/journal"])
                #expect(inspect.stdout.contains("repairs: 1 (REPAIRS)"), "\(inspect.stdout)")
                #expect(inspect.stdout.contains("kept for inspection:"), "\(inspect.stdout)")
            }
            let status = try await cluster.run(["cluster", "status", "--dir", cluster.dir, "--json"])
            let rows = status.stdoutLines.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            let row = rows.first { $0["id"] as? Int == Int(forgetful) }
            #expect(row?["voter"] as? Bool == false, "cluster status shows the node is not voting: \(status.stdout)")

            try cluster.restart(leader)
            _ = try await cluster.leader(within: 30)
            let read = try await cluster.run(["tail", "--cluster", cluster.dir, "--timeout", "30"])
            let entries = read.stdoutLines.map { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? "" }
            #expect(Array(entries.prefix(2000)) == lines, "every acknowledged entry at its index")
            #expect(!entries.contains("written without the old leader") || entries.count > 2000)

            // Every node, the rebuilt one included, ends with the same log.
            for node in try cluster.description.nodes {
                let local = try await cluster.localLog(of: node.id, count: read.stdoutLines.count, within: 30)
                #expect(Array(local.prefix(read.stdoutLines.count)) == read.stdoutLines, "node \(node.id)")
            }
            // It votes again once it has run its recovery ballot (after the recovery wait).
            var rebuilt = ""
            let recoveryDeadline = Date().addingTimeInterval(30)
            while Date() < recoveryDeadline && !rebuilt.contains("recovery complete") {
                try await Task.sleep(for: .milliseconds(200))
                rebuilt = try String(contentsOfFile: cluster.dir + "/node-\(forgetful).log", encoding: .utf8)
            }
            #expect(rebuilt.contains("recovery complete"), "\(rebuilt.suffix(2000))")
        }
    }

    private func damage(node: UInt32, in cluster: LocalCluster, _ loss: Loss) throws {
        let dataDirectory = cluster.dir + "/node-\(node)"
        switch loss {
        case .deletedDataDirectory:
            try FileManager.default.removeItem(atPath: dataDirectory)
        case .truncatedJournal:
            let journal = dataDirectory + "/journal"
            let segments = try FileManager.default.contentsOfDirectory(atPath: journal).filter { $0.hasSuffix(".seg") }
            let last = try #require(segments.sorted().last)
            // Keep the segment header and a little more: the acknowledged batches are gone.
            #expect(truncate(journal + "/" + last, 4096) == 0)
        case .zeroedJournal:
            // Every frame zeroed in place, the file keeping its size (a disk that lost its writes):
            // the segment looks whole and empty; only REACHED knows how far it had come.
            let journal = dataDirectory + "/journal"
            let segments = try FileManager.default.contentsOfDirectory(atPath: journal).filter { $0.hasSuffix(".seg") }
            let last = journal + "/" + (try #require(segments.sorted().last))
            let handle = try #require(FileHandle(forUpdatingAtPath: last))
            let size = try handle.seekToEnd()
            let headerSize: UInt64 = 64  // the segment header, see JournalFormat.segmentHeaderSize
            try handle.seek(toOffset: headerSize)
            try handle.write(contentsOf: Data(count: Int(size - headerSize)))
            try handle.close()
        case .damagedFrameInTheMiddle:
            // One bit of the first frame's payload in the last segment (the acknowledged batches
            // follow it, whole): not a torn tail, a node that refused to start before.
            let journal = dataDirectory + "/journal"
            let segments = try FileManager.default.contentsOfDirectory(atPath: journal).filter { $0.hasSuffix(".seg") }
            let last = journal + "/" + (try #require(segments.sorted().last))
            // Segment header, frame header, into the payload.
            try flipBits(in: last, at: 64 + 32 + 1, mask: 0x10)
        }
    }
}

extension AmnesiaEndToEndTests {
    /// `cluster start` without cluster.json creates a new cluster; over another cluster's data it
    /// would replay that cluster's promises, so it refuses.
    @Test func aNewClusterIsNotStartedOverAnotherClustersData() async throws {
        try await withCluster { cluster in
            _ = try await cluster.run(["append", "--cluster", cluster.dir, "old"])
            await cluster.stop()
            try FileManager.default.removeItem(atPath: cluster.dir + "/cluster.json")
            let again = try await cluster.run(["cluster", "start", "--dir", cluster.dir, "--wait", "10"])
            #expect(again.status == 1)
            #expect(again.stderr.contains("already holds a node's data"), "\(again.stderr)")
        }
    }
}
