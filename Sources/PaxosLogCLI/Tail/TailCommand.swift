import ArgumentParser
import Foundation
import PaxosLogClient

/// `paxoslog tail`.
struct TailCommand: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print committed entries in index order.",
        discussion: """
            text: INDEX<TAB>ENTRY per line. json: {"index":N,"data":"<base64>"} per line. \
            Without --follow it prints everything committed when the command started (read through \
            the leader: nothing acknowledged before is missing) and exits. With --follow it keeps \
            printing new entries until interrupted. --node K reads node K's own committed prefix. \
            Without --from it starts at the log's first index; --from below the first index (those \
            entries were trimmed) exits with status 1 and names the first index.

            Examples:
              paxoslog tail --cluster /tmp/demo
              paxoslog tail --cluster /tmp/demo --from 100 --follow --format json
            """
    )

    @Option(help: "The cluster: a directory of 'cluster start --dir', or a cluster file of 'cluster init'.")
    var cluster: String

    @Option(help: "The first index to print (default: the log's first index).")
    var from: UInt64?

    @Flag(help: "Keep printing entries as they commit.")
    var follow = false

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Option(help: "Read node K's own committed prefix (no leader round trip).")
    var node: UInt32?

    @Option(help: "Seconds to find a leader (or node K) able to serve the read before giving up.")
    var timeout: Double = 30

    @OptionGroup(title: "TLS (for nodes reached over TCP)") var tls: ClientTLSOptions

    func validate() throws {
        guard from ?? 1 >= 1 else { throw ValidationError("--from must be 1 or more") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        Output.endsWhenOutputCloses.store(true, ordering: .relaxed)
        let client = try tls.client(of: cluster)
        if let node, !client.cluster.nodes.contains(where: { $0.id == node }) {
            throw CLIError("node \(node) is not a member of the cluster at \(cluster)", exitCode: 64)
        }
        let format = self.format
        try await client.tail(
            from: from, follow: follow, node: node, timeout: .milliseconds(Int64(timeout * 1000))
        ) { entries in
            var out = [UInt8]()
            for entry in entries {
                switch format {
                case .text:
                    out += Array("\(entry.index)\t".utf8) + entry.data + [UInt8(ascii: "\n")]
                case .json:
                    let data = Data(entry.data).base64EncodedString()
                    out += Array("{\"index\":\(entry.index),\"data\":\"\(data)\"}\n".utf8)
                }
            }
            Output.write(bytes: out)
        }
    }
}
