import Foundation
import PaxosCore
import PaxosTestSupport
import Testing

/// Randomized safety: across many seeds, no two learners resolve different values and a resolved
/// value was proposed by someone. `PAXOSLOG_SEED=N` runs only seed N, with its trace on failure.
@Suite struct PaxosSafetyTests {
    static let seedCount: UInt64 = 10_000
    static let chunks: UInt64 = 8
    static let steps = 400

    @Test(arguments: 0..<chunks)
    func noTwoLearnersEverDisagree(chunk: UInt64) throws {
        let seeds: [UInt64]
        if let only = ProcessInfo.processInfo.environment["PAXOSLOG_SEED"].flatMap(UInt64.init) {
            seeds = chunk == 0 ? [only] : []
        } else {
            seeds = Array(stride(from: chunk, to: Self.seedCount, by: Int(Self.chunks)))
        }
        var resolvedRuns = 0
        for seed in seeds {
            var simulation = SingleDecreeSimulation(seed: seed)
            do {
                try simulation.run(steps: Self.steps)
            } catch {
                // Replay the seed with tracing on to show how it got there.
                var replay = SingleDecreeSimulation(seed: seed)
                replay.isTracing = true
                _ = try? replay.run(steps: Self.steps)
                let tail = replay.trace.suffix(40).joined(separator: "\n  ")
                Issue.record("\(error)\n  last events:\n  \(tail)")
                return
            }
            if simulation.chosenValue != nil { resolvedRuns += 1 }
        }
        // The faults must not be so harsh that nothing is ever chosen: then the test proves nothing.
        #expect(
            seeds.count < 100 || resolvedRuns * 2 > seeds.count,
            "only \(resolvedRuns) of \(seeds.count) runs chose a value")
    }

    @Test func aSeedReplaysExactly() throws {
        var first = SingleDecreeSimulation(seed: 4242)
        var second = SingleDecreeSimulation(seed: 4242)
        first.isTracing = true
        second.isTracing = true
        try first.run(steps: Self.steps)
        try second.run(steps: Self.steps)
        #expect(first.trace == second.trace)
        #expect(first.trace.count > Self.steps / 2)
    }

    @Test func theCheckerCatchesAnUnsafeAcceptor() {
        // An acceptor that forgets its promise on restart (state not persisted) breaks Paxos; the
        // simulation must notice in some seed, or it could not notice a real bug either.
        var caught = false
        for seed in 0..<UInt64(2_000) where !caught {
            var simulation = SingleDecreeSimulation(seed: seed)
            simulation.forgetfulAcceptors = true
            do { try simulation.run(steps: Self.steps) } catch { caught = true }
        }
        #expect(caught)
    }
}
