import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

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
        // Swift concurrency's jobs run on NIO's event loops, the threads that also read and write
        // the sockets: a task woken by a reply usually runs on the thread that read it, instead of
        // being handed to a second pool. On two cores those hand-offs were a third of a client's
        // CPU; with them gone 64 one-at-a-time clients commit about 1.5x as much (alternating
        // runs against the same nodes). Nothing in the CLI blocks a concurrency thread on I/O
        // that needs an event loop (standard input, the disk baselines and the journal writer
        // have threads of their own). Installed first, before any task exists, as NIO requires.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
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
