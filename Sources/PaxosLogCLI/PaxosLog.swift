import ArgumentParser
import Foundation

/// The `paxoslog` command: a replicated, durable log.
public struct PaxosLog: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "paxoslog",
        abstract: "A replicated, durable log: Multi-Paxos over a checksummed, compressed write-ahead journal.",
        discussion: """
            Start a local cluster, append entries, read them back, inspect journal files and measure \
            the disk and the cluster. Each subcommand has its own --help.
            """,
        version: "0.1.0",
        subcommands: [
            ClusterCommand.self, NodeCommand.self, AppendCommand.self, TailCommand.self, InspectCommand.self,
            BenchCommand.self, DebugJournalAppend.self, InspectFixtureMaker.self,
        ]
    )

    public init() {}

    /// Parses the command line, runs the command, and reports errors as the CLI contract says:
    /// one line `paxoslog: error: ...` on standard error; usage errors exit 64 (EX_USAGE).
    public static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            Output.note("paxoslog: error: \(error.message)")
            Glibc.exit(error.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is CleanExit {
                exit(withError: error)  // --help and --version print to standard output
            }
            let message = fullMessage(for: error)
            let lines = message.split(separator: "\n", omittingEmptySubsequences: false)
            let first = lines.first.map { String($0) } ?? "\(error)"
            let summary = first.hasPrefix("Error: ") ? String(first.dropFirst(7)) : first
            Output.note("paxoslog: error: \(summary)")
            let rest = lines.dropFirst().joined(separator: "\n")
            if !rest.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                Output.note(rest)
            }
            Glibc.exit(code.rawValue)
        }
    }
}
