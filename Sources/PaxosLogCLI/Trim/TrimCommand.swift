import ArgumentParser
import PaxosLogClient

/// `paxoslog trim`.
struct TrimCommand: AsyncParsableCommand, LeaderRequestCommand {
    static let configuration = CommandConfiguration(
        commandName: "trim",
        abstract: "Move the log's first index forward on every node, and print the new first index.",
        discussion: """
            Entries below INDEX are no longer served (tail --from below it exits 1 naming the first \
            index) and the disk they take is freed: whole log segments are deleted on each node at \
            its next checkpoint. The trim is a command agreed through the log, so every node moves \
            its first index at the same point and none decides on its own. The first index never \
            moves back; an INDEX past the end of the log trims every entry (the next append gets \
            the next index, as before). Retried entries are still recognised after a trim (within \
            the de-duplication window), so a client retry never appends a trimmed entry twice.

            Example:
              paxoslog trim --cluster /tmp/demo --before 1000000
            """
    )

    @Option(help: "The cluster: a directory of 'cluster start --dir', or a cluster file of 'cluster init'.")
    var cluster: String

    @Option(help: "The new first index: entries before it are trimmed.")
    var before: UInt64

    @Option(help: "Seconds to find a leader and see the trim applied before giving up.")
    var timeout: Double = 30

    @OptionGroup(title: "TLS (for nodes reached over TCP)") var tls: ClientTLSOptions

    func validate() throws {
        guard before >= 1 else { throw ValidationError("--before must be 1 or more") }
        try validateTimeout()
    }

    func run() async throws {
        let firstIndex = try await makeClient().trim(before: before, timeout: timeLimit)
        Output.line("\(firstIndex)")
    }
}
