import Foundation
import PaxosCore
import PaxosLogStore
import PaxosProtocol
import PaxosReplica
import PaxosTestSupport
import Testing

@testable import PaxosNode

/// The checkpoint holds the replica's promise and accepted values outside the journal: it is kept
/// twice, and one damaged copy neither stops the node nor makes it forget.
@Suite struct CheckpointCopiesTests {
    private func checkpoint() -> Checkpoint {
        let configuration = ReplicaConfiguration(members: [NodeID(1), NodeID(2), NodeID(3)], randomSeed: 1)
        var replica = Replica(id: NodeID(1), configuration: configuration, now: .zero)
        // After its first election timeout, so that it promises (see `Replica+OlderCopy.swift`).
        let later = ClockInstant.zero + configuration.electionTimeout * 3
        _ = replica.receive(
            .prepare(ballot: Ballot(number: 7, uid: NodeID(2)), fromSlot: 1), from: NodeID(2), now: later)
        return Checkpoint(journalSequence: 42, snapshot: replica.snapshot(), logAnchors: [])
    }

    @Test func bothCopiesAreWrittenAndEitherOneIsEnough() throws {
        try withTemporaryDirectory { directory in
            let written = checkpoint()
            #expect(written.snapshot.promised == Ballot(number: 7, uid: NodeID(2)))
            try written.write(to: directory)
            #expect(FileManager.default.fileExists(atPath: Checkpoint.copyPath(in: directory)))

            var problems: [String] = []
            #expect(try Checkpoint.read(from: directory) { problems.append($0) } == written)
            #expect(problems.isEmpty)

            // The first copy damaged: the second is read, and the damage is said.
            try flipBits(in: Checkpoint.path(in: directory), at: 30)
            #expect(try Checkpoint.read(from: directory) { problems.append($0) } == written)
            #expect(problems.count == 1 && problems[0].contains("using its second copy"), "\(problems)")

            // Both damaged: the node refuses to start, naming both.
            try flipBits(in: Checkpoint.copyPath(in: directory), at: 30)
            #expect {
                try Checkpoint.read(from: directory)
            } throws: { error in
                "\(error)".contains("both copies of the checkpoint are damaged")
            }

            // The next checkpoint rewrites both.
            try written.write(to: directory)
            #expect(try Checkpoint.read(from: directory) == written)
        }
    }

    @Test func aCheckpointWrittenBeforeCopiesIsStillRead() throws {
        try withTemporaryDirectory { directory in
            let written = checkpoint()
            try written.write(to: directory)
            try FileManager.default.removeItem(atPath: Checkpoint.copyPath(in: directory))
            #expect(try Checkpoint.read(from: directory) == written)
            try flipBits(in: Checkpoint.path(in: directory), at: 30)
            #expect(throws: NodeError.self) { try Checkpoint.read(from: directory) }
        }
    }
}
