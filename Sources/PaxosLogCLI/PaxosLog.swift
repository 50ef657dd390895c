import ArgumentParser

/// The `paxoslog` command: a replicated, durable log.
public struct PaxosLog: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "paxoslog",
        abstract: "A replicated, durable log: Multi-Paxos over a checksummed, compressed write-ahead journal.",
        discussion: """
            Start a local cluster, append entries, read them back, inspect journal files and measure
            the disk and the cluster. Each subcommand has its own --help.
            """,
        version: "0.1.0",
        subcommands: []
    )

    public init() {}
}
