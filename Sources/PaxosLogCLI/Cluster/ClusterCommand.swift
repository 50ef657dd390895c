import ArgumentParser
import Foundation
import PaxosLogClient

/// `paxoslog cluster`: start, stop and look at a local cluster of node processes.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Start, stop and inspect a local cluster; describe one on several hosts.",
        discussion: """
            A local cluster lives in one directory: DIR/cluster.json describes it, DIR/node-K/ holds \
            node K's data, DIR/node-K.sock is its socket, DIR/node-K.log its log, DIR/node-K.pid its \
            pid. A cluster on several hosts is described by a cluster file (`cluster init`), whose \
            members each run `paxoslog node --config FILE --id K`.
            """,
        subcommands: [
            ClusterStart.self, ClusterStop.self, ClusterStatus.self, ClusterInit.self, ClusterTransferLeader.self,
            ClusterAdd.self, ClusterPromote.self, ClusterRemove.self, ClusterReplace.self,
        ]
    )
}

/// The `--dir` option shared by the cluster commands.
struct ClusterDirectoryOption: ParsableArguments {
    @Option(help: "The cluster directory (holds cluster.json, node data, sockets, logs).")
    var dir: String

    /// `dir` made absolute, so the paths in cluster.json work from anywhere.
    var absolute: String {
        let url = URL(fileURLWithPath: dir)
        return url.standardizedFileURL.path
    }

    /// The cluster's `cluster.json`, or the error a user should see.
    func loadDescription() throws -> ClusterDescription {
        return try ClusterDescription.load(from: absolute)
    }
}
