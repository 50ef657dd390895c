import Foundation
import PaxosTestSupport
import Testing

/// The replicated log under drops, duplicates, reordering, partitions, crashes and restarts.
/// `PAXOSLOG_SEED=N` runs only seed N; `PAXOSLOG_REPLICA_SEEDS=N` runs N seeds (`make soak`).
@Suite struct ReplicaSimulationTests {
    static let chunks: UInt64 = 4
    static var seedCount: UInt64 {
        ProcessInfo.processInfo.environment["PAXOSLOG_REPLICA_SEEDS"].flatMap(UInt64.init) ?? 500
    }

    @Test(arguments: 0..<chunks)
    func clusterStaysSafeAndLive(chunk: UInt64) {
        let seeds: [UInt64]
        if let only = ProcessInfo.processInfo.environment["PAXOSLOG_SEED"].flatMap(UInt64.init) {
            seeds = chunk == 0 ? [only] : []
        } else {
            seeds = Array(stride(from: chunk, to: Self.seedCount, by: Int(Self.chunks)))
        }
        for seed in seeds {
            var simulation = ReplicaSimulation(seed: seed)
            do {
                try simulation.run()
            } catch {
                var replay = ReplicaSimulation(seed: seed)
                replay.isTracing = true
                _ = try? replay.run()
                Issue.record("\(error)\n  last events:\n  \(replay.trace.suffix(60).joined(separator: "\n  "))")
                return
            }
        }
    }

    @Test func theCheckerCatchesAReplicaThatForgetsItsJournal() {
        // Restarting replicas from an empty journal breaks Paxos's promises; the simulation must
        // notice in some seed, or it could not notice a real bug either.
        var caught = false
        for seed in UInt64(0)..<400 where !caught {
            var simulation = ReplicaSimulation(seed: seed)
            simulation.forgetfulRestarts = true
            do { try simulation.run() } catch { caught = true }
        }
        #expect(caught)
    }

    @Test func theCheckerCatchesAReplicaThatLosesStateUnnoticed() {
        // The same restarts with lost journal records, without `.recoveryStarted`: the replica
        // votes at once, as paxoslog did before the amnesia rule, and some seed must lose or
        // change an acknowledged entry.
        var caught = false
        for seed in UInt64(0)..<1_000 where !caught {
            var simulation = ReplicaSimulation(seed: seed)
            simulation.amnesia = .undetected
            do { try simulation.run() } catch { caught = true }
        }
        #expect(caught)
    }

    @Test func aLeaderTellsAReplicaThatLostStateUnnoticedAndNoFalseAlarmIsRaised() throws {
        // Restarts that lose journal records unnoticed (a restore from an older copy): while the
        // leader that was acknowledged is alive, it notices the replica holds less than it
        // acknowledged and tells it. Every other family checks that no healthy replica is ever
        // told so (a false alarm would cost a voter).
        var reported = 0
        var broken = 0
        for seed in UInt64(0)..<300 {
            var simulation = ReplicaSimulation(seed: seed)
            simulation.amnesia = .undetected
            // The losses no leader can see still break the checks (a leader that lost state
            // itself, a follower whose acknowledged leader is gone: the documented limit).
            do { try simulation.run() } catch { broken += 1 }
            reported += simulation.stateLossesReported
        }
        print(
            "simulation: \(reported) unnoticed losses of state reported by a leader; "
                + "\(broken) of 300 seeds still broke a check")
        #expect(reported >= 1)
    }

    @Test func restartsWithLostStateHappenAndRecover() throws {
        // Amnesia is part of every run above; make sure it is exercised, and that the replicas
        // that lost state became voters again.
        var recovered = 0
        for seed in UInt64(0)..<200 {
            var simulation = ReplicaSimulation(seed: seed)
            simulation.isTracing = true
            try simulation.run()
            recovered += simulation.trace.filter { $0.contains("votes again") }.count
        }
        #expect(recovered >= 10)
    }

    @Test func trimsAreAppliedAmongTheFaults() throws {
        // Trims are part of every run above (the checks: every replica moves its first index at
        // the same slot, and keeps it through restarts and checkpoints; nodes delete trimmed
        // "segments" at checkpoints, and a replica behind them continues from a base); make sure
        // they apply.
        var requested = 0
        var applied = 0
        var installed = 0
        for seed in UInt64(0)..<100 {
            var simulation = ReplicaSimulation(seed: seed)
            try simulation.run()
            requested += simulation.trimsRequested
            applied += simulation.trimsApplied
            installed += simulation.basesInstalled
        }
        print("simulation: \(requested) trims requested, \(applied) applied, \(installed) bases installed")
        #expect(requested >= 50)
        #expect(applied >= 20)
        // (Bases installed by replicas that lagged behind a trim: counted here, required by
        // `aReplicaCutOffWhileTheOthersTrimCatchesUpFromABase`, which arranges for them.)
    }

    @Test func leadershipTransfersAmongTheFaultsKeepEveryCheck() throws {
        // Clients ask for leadership transfers to random members while messages are dropped,
        // duplicated and reordered, nodes crash and the network splits: every check of the other
        // families holds, and enough transfers complete that a leader handing over mid-stream is
        // covered.
        var requested = 0
        var done = 0
        for seed in UInt64(0)..<200 {
            var simulation = ReplicaSimulation(seed: seed)
            simulation.transferPercent = 3
            do {
                try simulation.run()
            } catch {
                var replay = ReplicaSimulation(seed: seed)
                replay.transferPercent = 3
                replay.isTracing = true
                _ = try? replay.run()
                Issue.record("\(error)\n  last events:\n  \(replay.trace.suffix(60).joined(separator: "\n  "))")
                return
            }
            requested += simulation.transfersRequested
            done += simulation.transfersDone
        }
        print("simulation: \(requested) leadership transfers requested, \(done) completed")
        #expect(done >= 20)
    }

    @Test func logStoresCutAtDamageAreRepairedFromThePeers() throws {
        // A third of restarts find the log store damaged and cut it below the checkpoint: the
        // replica goes back to the store's end and votes for nobody until it has learned the slots
        // again. Every check of the other families holds (no value chosen twice, every
        // acknowledged entry in every log, in order), and the repairs happen.
        var repairs = 0
        for seed in UInt64(0)..<300 {
            var simulation = ReplicaSimulation(seed: seed)
            simulation.storeDamagePercent = 30
            simulation.checkpointPercent = 20
            do {
                try simulation.run()
            } catch {
                var replay = ReplicaSimulation(seed: seed)
                replay.storeDamagePercent = 30
                replay.checkpointPercent = 20
                replay.isTracing = true
                _ = try? replay.run()
                Issue.record("\(error)\n  last events:\n  \(replay.trace.suffix(60).joined(separator: "\n  "))")
                return
            }
            repairs += simulation.storeRepairs
        }
        print("simulation: \(repairs) restarts repaired a log store cut below the checkpoint")
        #expect(repairs >= 100)
    }

    @Test func membershipChangesAmongTheFaultsKeepEveryCheck() throws {
        // Two spare nodes outside the first membership; clients ask random nodes to add them as
        // learners, promote learners and remove members, interleaved with leadership transfers,
        // crashes, lost state, partitions and message loss. Every check holds (one value per
        // slot whichever membership decided it, every acknowledged entry at its index, each once),
        // and enough changes are chosen that every kind is exercised. 1,500 seeds: seed 1482 found
        // a leader that dropped the reports after a membership slot while it rebuilt lost state
        // (`Replica.keepReports`).
        var requested = 0
        var changed = 0
        var promoted = 0
        var removed = 0
        for seed in UInt64(0)..<1_500 {
            func simulation() -> ReplicaSimulation {
                var simulation = ReplicaSimulation(seed: seed, spares: 2)
                simulation.membershipPercent = 10
                simulation.transferPercent = 2
                return simulation
            }
            // Up to seven nodes share the simulated network, which then carries fewer messages than
            // they send: 20 s to finish after the heal instead of 10 (a soak of 7,500 seeds had
            // appends finish late, never wrong).
            var run = simulation()
            do {
                try run.run(healMilliseconds: 20_000)
            } catch {
                var replay = simulation()
                replay.isTracing = true
                _ = try? replay.run(healMilliseconds: 20_000)
                Issue.record("\(error)\n  last events:\n  \(replay.trace.suffix(80).joined(separator: "\n  "))")
                return
            }
            requested += run.membershipRequested
            changed += run.membershipChanged
            promoted += run.promotions
            removed += run.voterRemovals
        }
        print(
            "simulation: \(requested) membership changes requested, \(changed) chosen "
                + "(\(promoted) promotions, \(removed) voters removed)")
        // (About 1,700 changes, 100 promotions and 200 removals chosen in 1,500 seeds here; the
        // bounds leave room for the random streams to move.)
        #expect(changed >= 800)
        #expect(promoted >= 50)
        #expect(removed >= 100)
    }

    @Test func aReplicaCutOffWhileTheOthersTrimCatchesUpFromABase() throws {
        // One member is away for the whole faulty period while the others append, trim often and
        // delete what they trimmed: it must come back through a base, under the same faults and
        // checks as every run (its first index, its log from there, exactly-once).
        var installed = 0
        for seed in UInt64(0)..<200 {
            var simulation = ReplicaSimulation(seed: seed)
            simulation.isolatedDuringFaults = simulation.members.last
            simulation.trimPercent = 8
            simulation.checkpointPercent = 20
            simulation.appendsToIssue += 20
            do {
                try simulation.run()
            } catch {
                var replay = ReplicaSimulation(seed: seed)
                replay.isolatedDuringFaults = replay.members.last
                replay.trimPercent = 8
                replay.checkpointPercent = 20
                replay.appendsToIssue += 20
                replay.isTracing = true
                _ = try? replay.run()
                Issue.record("\(error)\n  last events:\n  \(replay.trace.suffix(60).joined(separator: "\n  "))")
                return
            }
            installed += simulation.basesInstalled
        }
        // Several seeds (how many varies with the random streams; any is coverage, several guard
        // against a change that makes bases rare).
        #expect(installed >= 5, "\(installed) bases installed")
    }

    @Test func mutatedFramesNeverReachTheLog() throws {
        // A quarter of all peer traffic mutated on the way, through the real frame and message
        // decoders: every check above still holds (nothing in the log that no client sent, nothing
        // twice, every acknowledged entry at its index), and every mutant is refused.
        var mutated = 0
        var refused = 0
        var seed: UInt64 = 0
        while mutated < 100_000 {
            var simulation = ReplicaSimulation(seed: 50_000 + seed)
            simulation.corruptionPercent = 25
            try simulation.run(healMilliseconds: 20_000)
            mutated += simulation.framesMutated
            refused += simulation.mutantsRefused
            seed += 1
        }
        #expect(refused == mutated, "a mutated frame passed the frame checksum")
    }

    @Test func aSeedReplaysExactly() throws {
        var first = ReplicaSimulation(seed: 77)
        var second = ReplicaSimulation(seed: 77)
        first.isTracing = true
        second.isTracing = true
        try first.run()
        try second.run()
        #expect(first.trace == second.trace)
        #expect(first.acknowledged.count > 0)
        #expect(first.readsServed > 0)
    }
}
