import ArgumentParser
import Foundation
import PaxosLogClient
import Synchronization

/// `paxoslog append`.
struct AppendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append entries to the log and print the index of each once it is committed.",
        discussion: """
            Each ENTRY argument, or else each line of standard input (without its newline), is one \
            entry. For each, its log index is printed on its own line, in input order, once a \
            majority of nodes has it on disk. With standard input many entries are in flight at \
            once, so `producer | paxoslog append --cluster DIR` runs at cluster speed.

            Retries after a node failure or a leader change never duplicate an entry. If entries \
            cannot be committed within --timeout (no majority alive), the indexes that did commit \
            are printed, the count of unconfirmed entries is reported, and the exit status is 1.

            Examples:
              paxoslog append --cluster /tmp/demo hello world
              seq 1 100000 | paxoslog append --cluster /tmp/demo > indexes.txt
            """
    )

    @Option(help: "The cluster: a directory of 'cluster start --dir', or a cluster file of 'cluster init'.")
    var cluster: String

    @Option(help: "Seconds to wait for an entry to commit before giving up.")
    var timeout: Double = 30

    @Argument(help: "Entries to append. Without any, lines of standard input are appended.")
    var entries: [String] = []

    @OptionGroup(title: "TLS (for nodes reached over TCP)") var tls: ClientTLSOptions

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        let client = try tls.client(of: cluster)
        let limit = Duration.milliseconds(Int64(timeout * 1000))
        let nextBatch: @Sendable () async throws -> [[UInt8]]?
        if entries.isEmpty {
            let stdin = StdinBatches()
            nextBatch = { try await stdin.next() }
        } else {
            let batch = RawArguments.bytes(of: entries)
            let handedOut = Mutex(false)
            nextBatch = {
                handedOut.withLock { done -> [[UInt8]]? in
                    defer { done = true }
                    return done ? nil : batch
                }
            }
        }
        let report: AppendReport
        report = try await client.appendStream(timeout: limit, nextBatch: nextBatch) { committed in
            var text = ""
            text.reserveCapacity(committed.count * 8)
            for entry in committed {
                text += "\(entry.index)\n"
            }
            Output.write(text)
        }
        if report.unconfirmed > 0 {
            throw CLIError(
                "\(report.unconfirmed) entr\(report.unconfirmed == 1 ? "y" : "ies") could not be confirmed within \(timeout) s (\(report.committed) committed); is a majority of nodes running?"
            )
        }
    }
}
