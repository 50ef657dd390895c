import Foundation
import PaxosCore
import PaxosProtocol
import PaxosReplica
import PaxosTestSupport
import Testing

@testable import PaxosNode

/// Whole nodes (`NodeCore` and its replica, a simulated journal, a real log store) under drops,
/// duplicates, reordering, late journal completions, crashes and fsync failures.
/// `PAXOSLOG_NODE_SEED=N` runs only seed N, with its trace; `PAXOSLOG_NODE_SEEDS=N` runs N seeds.
@Suite struct NodeSimulationTests {
    static let chunks: UInt64 = 2
    static var seedCount: UInt64 {
        ProcessInfo.processInfo.environment["PAXOSLOG_NODE_SEEDS"].flatMap(UInt64.init) ?? 100
    }

    @Test(arguments: 0..<chunks)
    func wholeNodesStaySafeAndLive(chunk: UInt64) throws {
        let seeds: [UInt64]
        if let only = ProcessInfo.processInfo.environment["PAXOSLOG_NODE_SEED"].flatMap(UInt64.init) {
            seeds = chunk == 0 ? [only] : []
        } else {
            seeds = Array(stride(from: chunk, to: Self.seedCount, by: Int(Self.chunks)))
        }
        var crashes = 0
        var fsyncFailures = 0
        var batchedTurns = 0
        for seed in seeds {
            let simulation = try NodeSimulation(seed: seed)
            simulation.isTracing = seeds.count == 1  // a replay: its digest shows it ran as before
            do {
                try simulation.run()
            } catch {
                let replay = try NodeSimulation(seed: seed)
                replay.isTracing = true
                _ = try? replay.run()
                Issue.record("\(error)\n  last events:\n  \(replay.trace.suffix(60).joined(separator: "\n  "))")
                return
            }
            if simulation.isTracing {
                print(
                    "node simulation: seed \(seed) ran \(simulation.trace.count) events, digest \(simulation.traceDigest)"
                )
            }
            crashes += simulation.crashes
            fsyncFailures += simulation.fsyncFailures
            batchedTurns += simulation.batchedTurns
        }
        print(
            "node simulation: \(seeds.count) seeds, \(crashes) crashes, \(fsyncFailures) fsync failures, "
                + "\(batchedTurns) turns with several clients")
    }

    @Test func thePersistBeforeSendCheckCatchesADiskThatLiesAboutFsync() throws {
        let caught = try firstViolation(under: .journalLiesAboutDurability, seeds: 0..<20)
        #expect(caught?.message.hasPrefix("persist before send") == true, "\(caught.map { "\($0)" } ?? "nothing")")
    }

    @Test func theFailStopCheckCatchesANodeWhoseJournalHidesAFailure() throws {
        let caught = try firstViolation(under: .journalHidesFailures, seeds: 0..<40)
        #expect(caught?.message.hasPrefix("fail-stop") == true, "\(caught.map { "\($0)" } ?? "nothing")")
    }

    @Test func theLogChecksCatchNodesThatForgetTheirDisks() throws {
        // Restarting from an empty disk breaks Paxos's promises: some seed must lose or change an
        // acknowledged entry, or the checks could not see a real bug either.
        let caught = try firstViolation(under: .restartsForgetEverything, seeds: 0..<40) { simulation in
            simulation.crashPercent = 6
            simulation.fsyncFailurePercent = 0
        }
        #expect(caught?.message.contains("was acknowledged at index") == true, "\(caught.map { "\($0)" } ?? "nothing")")
    }

    /// The first violation a seed of `seeds` runs into with `sabotage`.
    private func firstViolation(
        under sabotage: NodeSimulation.Sabotage, seeds: Range<UInt64>,
        adjust: (NodeSimulation) -> Void = { _ in }
    ) throws -> NodeSimulation.Violation? {
        for seed in seeds {
            let simulation = try NodeSimulation(seed: seed)
            simulation.sabotage = sabotage
            adjust(simulation)
            do {
                try simulation.run()
            } catch let violation as NodeSimulation.Violation {
                print("sabotage \(sabotage) caught: \(violation)")
                return violation
            }
        }
        return nil
    }
}
