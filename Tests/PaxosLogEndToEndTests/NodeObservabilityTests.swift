import PaxosCore
import PaxosProtocol
import Testing

@testable import PaxosNode

/// The node's health verdict and the leader's view of follower lag, without processes.
struct NodeObservabilityTests {
    static let healthy = NodeHealth.Facts(
        isLeader: false, leader: 2, leaderHeardMillisecondsAgo: 40, hearsLiveLeader: true,
        electionTimeoutMilliseconds: 1000, storageFailed: false, journalDirectoryWritable: true,
        journalDirectory: "/data/journal")

    @Test func healthNeedsALeaderHeardWithinTheElectionTimeoutAndAWritableJournal() {
        #expect(NodeHealth.judge(Self.healthy) == NodeHealth(isHealthy: true, reason: "ok: following leader 2"))
        var leading = Self.healthy
        leading.isLeader = true
        leading.leader = 1
        #expect(NodeHealth.judge(leading).isHealthy)

        var noLeader = Self.healthy
        noLeader.leader = nil
        noLeader.hearsLiveLeader = false
        #expect(NodeHealth.judge(noLeader) == NodeHealth(isHealthy: false, reason: "no leader known"))

        var silent = Self.healthy
        silent.hearsLiveLeader = false
        silent.leaderHeardMillisecondsAgo = 1834
        let verdict = NodeHealth.judge(silent)
        #expect(!verdict.isHealthy)
        #expect(verdict.reason.contains("1834 ms ago") && verdict.reason.contains("1000 ms"))

        var readOnly = Self.healthy
        readOnly.journalDirectoryWritable = false
        #expect(NodeHealth.judge(readOnly).reason.contains("/data/journal is not writable"))

        var failed = leading
        failed.storageFailed = true
        #expect(!NodeHealth.judge(failed).isHealthy)
    }

    @Test func lagCountsTheEntriesAndTheTimeAFollowerIsBehind() {
        var progress = ReplicationProgress()
        // Slots 1...3 hold indexes 1-2, none and 3-7, applied at 1 s, 2 s and 3 s (only where
        // each slot starts in the log matters here, not its value).
        progress.didApply([ChosenSlot(slot: 1, value: .noop, firstIndex: 1)], at: .seconds(1))
        progress.didApply([ChosenSlot(slot: 2, value: .noop, firstIndex: 3)], at: .seconds(2))
        progress.didApply([ChosenSlot(slot: 3, value: .noop, firstIndex: 3)], at: .seconds(3))
        let peer = NodeID(2)
        #expect(progress.lag(of: peer, lastIndex: 7, commitSlot: 3, now: .seconds(4)) == nil)

        progress.peerReported(peer, commitSlot: 3)
        #expect(progress.lag(of: peer, lastIndex: 7, commitSlot: 3, now: .seconds(4)) == .init(entries: 0, seconds: 0))

        progress.peerReported(peer, commitSlot: 1)
        // It lacks slots 2 and 3: every entry after index 2, the oldest applied 2 s ago.
        #expect(progress.lag(of: peer, lastIndex: 7, commitSlot: 3, now: .seconds(4)) == .init(entries: 5, seconds: 2))

        progress.forgetPeers()
        #expect(progress.lag(of: peer, lastIndex: 7, commitSlot: 3, now: .seconds(4)) == nil)
    }

    @Test func lagIsBoundedByTheSlotsRemembered() {
        var progress = ReplicationProgress()
        let count = ReplicationProgress.capacity + 10
        for slot in 1...count {
            progress.didApply(
                [ChosenSlot(slot: Slot(slot), value: .noop, firstIndex: UInt64(slot))], at: .seconds(Double(slot)))
        }
        #expect(progress.applied.count == ReplicationProgress.capacity)
        progress.peerReported(NodeID(3), commitSlot: 0)
        let lag = progress.lag(of: NodeID(3), lastIndex: UInt64(count), commitSlot: Slot(count), now: .seconds(1e5))
        // Behind everything remembered: at least as far as the oldest remembered slot.
        #expect(lag?.entries == UInt64(ReplicationProgress.capacity))
    }
}
