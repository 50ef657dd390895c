import ArgumentParser

/// `paxoslog bench`: measurements of this machine's disk and of the journal on it.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the disk and the journal (fsync), a cluster (cluster), or its reads (read).",
        subcommands: [BenchFsyncCommand.self, ClusterBenchCommand.self, BenchReadCommand.self]
    )
}
