import PaxosCore
import Testing

/// Heartbeat-based failure detection on a hand-moved clock: the leader's liveness and the
/// randomized election deadline.
@Suite struct LeaderLivenessTests {
    @Test func aLeaderNeverHeardIsNotAlive() {
        let liveness = LeaderLiveness(window: .seconds(1), includesWindowEnd: false)
        #expect(liveness.lastContact == nil)
        #expect(!liveness.isAlive(now: at(0)))
    }

    @Test func silenceForTheWindowEndsLiveness() {
        var liveness = LeaderLiveness(window: .seconds(1), includesWindowEnd: false)
        liveness.heard(at: at(2))
        #expect(liveness.isAlive(now: at(2)))
        #expect(liveness.isAlive(now: at(2.999)))
        #expect(!liveness.isAlive(now: at(3)), "heard nothing for a whole window")
        liveness.heard(at: at(3.5))
        #expect(liveness.lastContact == at(3.5))
        #expect(liveness.isAlive(now: at(4.4)), "contact starts the window again")
        #expect(!liveness.isAlive(now: at(4.5)))
    }

    @Test func theSeedsWindowIncludesItsEnd() {
        let liveness = LeaderLiveness(window: .seconds(5), includesWindowEnd: true, lastContact: at(4))
        #expect(liveness.isAlive(now: at(9)))
        #expect(!liveness.isAlive(now: at(9.001)))
    }

    @Test func aTimerDrawsEachTimeoutBetweenTAndTwoT() {
        var timer = ElectionTimer(timeout: .milliseconds(500), random: SplitMix64(seed: 7), now: at(10))
        for step in 0..<50 {
            let now = at(10 + Double(step))
            timer.restart(now: now)
            #expect(timer.deadline >= now + .milliseconds(500))
            #expect(timer.deadline < now + .milliseconds(1000))
        }
    }

    @Test func theDeadlineIsDueAtItsInstantAndRestartsOnContact() {
        // A one-microsecond timeout has no room for jitter: every deadline is exact.
        var timer = ElectionTimer(timeout: .microseconds(1), random: SplitMix64(seed: 1), now: at(1))
        #expect(timer.deadline == at(1) + .microseconds(1))
        #expect(!timer.isDue(now: at(1)))
        #expect(timer.isDue(now: at(1) + .microseconds(1)))
        timer.restart(now: at(2))
        #expect(!timer.isDue(now: at(2)))
        #expect(timer.deadline == at(2) + .microseconds(1))
    }

    @Test func theSameSeedDrawsTheSameTimeoutsInTheSameOrder() {
        // Every restart is exactly one draw from the generator, shared with `randomTimeout()`: a
        // seeded simulation replays only if the draws happen in the same order.
        var restarted = ElectionTimer(timeout: .milliseconds(500), random: SplitMix64(seed: 42), now: .zero)
        var drawn = ElectionTimer(timeout: .milliseconds(500), random: SplitMix64(seed: 42), now: .zero)
        #expect(restarted.deadline == drawn.deadline)
        for step in 1...20 {
            let now = at(Double(step))
            restarted.restart(now: now)
            #expect(restarted.deadline == now + drawn.randomTimeout())
        }
    }
}
