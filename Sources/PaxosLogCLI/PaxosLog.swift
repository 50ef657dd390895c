import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import PaxosNode

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
            ClusterCommand.self, NodeCommand.self, AppendCommand.self, TailCommand.self, TrimCommand.self,
            InspectCommand.self,
            BenchCommand.self, CertsCommand.self, DebugJournalAppend.self, InspectFixtureMaker.self,
        ]
    )

    public init() {}

    /// Process-wide settings that must precede every thread: a node runs with one malloc arena
    /// (`MemoryRelease.useOneArena`).
    public static func prepareProcess(arguments: [String]) {
        if arguments.dropFirst().first == "node" {
            MemoryRelease.useOneArena()
        }
    }

    /// Parses the command line, runs the command, and reports errors as the CLI contract says:
    /// one line `paxoslog: error: ...` on standard error; usage errors exit 64 (EX_USAGE). This is
    /// the one place an error becomes a message and an exit status: commands throw the libraries'
    /// typed errors as they are (their descriptions say what failed and where), exit 1, and
    /// throw `CLIError` only for what is the command's own to say.
    public static func main() async {
        do {
            var command = try parseAsRoot()
            if command is ClusterClientCommand {
                // Installed after parsing (which starts no task) and before anything else.
                NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
            }
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
            // One line, as the contract says; the parser's usage block is replaced by a pointer to
            // the command's --help.
            let helpHint =
                lines.map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix("See '") && $0.contains("--help") }
                .flatMap { $0.split(separator: "'").dropFirst().first }
                .map { " (see '\($0)')" } ?? ""
            Output.note("paxoslog: error: \(summary)\(helpHint)")
            Glibc.exit(code.rawValue)
        }
    }
}

/// A command whose work is talking to a cluster through `PaxosLogClient`. It runs Swift
/// concurrency's jobs on NIO's event loops, the threads that also read and write the sockets: a
/// task woken by a reply then usually runs on the thread that read it instead of being handed to a
/// second pool. On two cores those hand-offs were a third of a client's CPU; without them 64
/// one-at-a-time clients commit about 1.5x as much (alternating runs against the same nodes).
/// Such a command must not block a concurrency thread on anything that needs an event loop.
///
/// Not for `bench fsync`: there the journal's writer thread resumes hundreds of appenders per
/// batch, and handing each to an event loop measured slower (64 writers: 47k–87k records/s
/// against 98k–120k with the default pool). Not for `append` either: a streaming append is one
/// pipeline task encoding large batches, which then competes with the socket I/O for the same two
/// threads (160k entries/s against 190k with the default pool, alternating runs).
protocol ClusterClientCommand {}

extension TailCommand: ClusterClientCommand {}
extension ClusterBenchCommand: ClusterClientCommand {}
extension ClusterStart: ClusterClientCommand {}
extension ClusterStatus: ClusterClientCommand {}
extension ClusterStop: ClusterClientCommand {}
