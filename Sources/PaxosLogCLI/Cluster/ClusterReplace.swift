import ArgumentParser
import Foundation
import PaxosCore
import PaxosLogClient
import PaxosProtocol
import PaxosTransport

/// `paxoslog cluster replace`: a new member takes a member's place, one safe step at a time.
struct ClusterReplace: AsyncParsableCommand, MembershipCommand {
    static let configuration = CommandConfiguration(
        commandName: "replace",
        abstract:
            "Replace a member: add a new one as a learner, wait until it runs and has caught up, promote it, remove the old one.",
        discussion: """
            Each step is a membership change of its own (the voters never change by more than \
            one). After the addition the command says how to start the new member (`paxoslog \
            node --config FILE --id N --join`) and waits up to --timeout for it to answer and \
            catch up, asking again every half second; if it never does, the new member stays a \
            learner and the old one stays (exit 1, with the last reason). Replacing the leader \
            hands leadership to another voter first. Prints the members at the end.

            Example:
              paxoslog cluster replace --cluster /tmp/demo 3 --address unix:/tmp/demo/node-4.sock --data /tmp/demo/node-4
            """
    )

    @Option(help: "The cluster: a directory of 'cluster start --dir', or a cluster file of 'cluster init'.")
    var cluster: String

    @Argument(help: "The member to replace.")
    var node: UInt32

    @Option(help: "The new member's id (default: one more than the highest member id).")
    var id: UInt32?

    @Option(
        help: "Where the others reach the new member: unix:PATH or tcp:HOST:PORT.", transform: AddressArgument.parse)
    var address: TransportAddress

    @Option(help: "The new member's data directory, recorded in the cluster description.")
    var data: String?

    @Option(help: "Seconds to wait for the new member to run and catch up, and for each change.")
    var timeout: Double = 120

    @Flag(help: "Print the members as JSON.")
    var json = false

    @OptionGroup(title: "TLS (for nodes reached over TCP)") var tls: ClientTLSOptions

    /// The step under way (the protocol's `runChange` makes one change).
    var change: MembershipChange { .remove(NodeID(node)) }
    var addedMemberDirectory: String? { data }

    func validate() throws {
        try validateNode(node, "the node")
        if let id { try validateNode(id, "--id") }
    }

    func run() async throws {
        let client = try makeClient()
        let newID = try id ?? ((ClusterDescription.load(from: cluster).nodes.map(\.id).max() ?? 0) + 1)
        let added = try await client.changeMembership(
            .addLearner(NodeID(newID), address: address.description), timeout: timeLimit)
        _ = try recordMembers(added.membership)
        Output.note(
            "node \(newID) added as a learner; start it: paxoslog node --config FILE --id \(newID) --join"
                + (data.map { " --data \($0)" } ?? ""))
        let deadline = ContinuousClock.now + timeLimit
        var lastRefusal = ""
        while true {
            do {
                let promoted = try await client.changeMembership(.promote(NodeID(newID)), timeout: .seconds(10))
                _ = try recordMembers(promoted.membership)
                break
            } catch {
                lastRefusal = "\(error)"
                guard ContinuousClock.now < deadline else {
                    throw CLIError(
                        "node \(newID) was not promoted within \(timeout) s (it stays a learner; node \(node) stays): \(lastRefusal)"
                    )
                }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        try await handOverIfLeading(node, client: client)
        try await runChange()
    }
}
