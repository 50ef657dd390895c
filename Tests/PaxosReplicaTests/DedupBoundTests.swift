import PaxosCore
import PaxosProtocol
import PaxosReplica
import Testing

/// The de-duplication table is bounded: per session by the window, overall by `dedupMaxKeys`
/// (and `dedupMaxSessions`).
@Suite struct DedupBoundTests {
    @Test func theLeastRecentSessionsForgetTheirIndexesPastTheBoundAndTheRecentOnesDoNot() throws {
        var cluster = ReplicaTestCluster {
            $0.dedupWindow = 4
            $0.dedupMaxKeys = 16
        }
        cluster.advance(by: .seconds(2))
        let leader = try #require(cluster.leader)
        // Ten sessions of four entries each: 40 keys against a bound of 16.
        var index: UInt64 = 0
        for session in UInt64(1)...10 {
            for sequence in UInt64(1)...4 {
                index += 1
                cluster.append("s\(session)-\(sequence)", key: key(sequence, session: session), at: leader)
                try #require(cluster.outcomes[key(sequence, session: session)] == .committed(index: index))
            }
        }
        // The latest session is remembered: its retry finds the original index.
        cluster.outcomes = [:]
        cluster.append("s10-2", key: key(2, session: 10), at: leader)
        #expect(cluster.outcomes[key(2, session: 10)] == .committed(index: 38))
        // The first session's indexes were forgotten, but not how far it went: its retry is
        // still not appended again, and the client is told its index is no longer known.
        cluster.append("s1-2", key: key(2, session: 1), at: leader)
        #expect(cluster.outcomes[key(2, session: 1)] == .indexForgotten)
        // Its next entry is still taken, in order.
        cluster.append("s1-5", key: key(5, session: 1), at: leader)
        #expect(cluster.outcomes[key(5, session: 1)] == .committed(index: 41))
        // Every replica forgot the same: a follower's log holds the same 41 entries.
        cluster.advance(by: .milliseconds(200))
        for member in cluster.configuration.members {
            #expect(cluster.log(of: member).count == 41, "\(member)")
        }
    }
}
