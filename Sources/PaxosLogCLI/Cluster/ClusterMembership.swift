import ArgumentParser
import Foundation
import PaxosCore
import PaxosLogClient
import PaxosProtocol
import PaxosTransport

/// What `cluster add`, `promote` and `remove` share: ask the leader for the change, write the
/// members it answers into the cluster description, print them.
protocol MembershipCommand: LeaderRequestCommand {
    var json: Bool { get }
    /// The change asked for.
    var change: MembershipChange { get }
    /// The data directory to record for a member this change adds, if any.
    var addedMemberDirectory: String? { get }
}

extension MembershipCommand {
    var addedMemberDirectory: String? { nil }

    func runChange() async throws {
        let client = try makeClient()
        let result = try await client.changeMembership(change, timeout: timeLimit)
        let nodes = try recordMembers(result.membership)
        MemberList(members: nodes, leader: result.leader).print(json: json)
    }

    /// Rewrites the cluster description (`cluster.json` of a directory, or the cluster file) with
    /// the members the log now has: added members appended, voter flags updated, removed ones
    /// dropped. Fields only this machine knows (pid, argv, dir) are kept.
    func recordMembers(_ membership: Membership) throws -> [ClusterDescription.Node] {
        var description = try ClusterDescription.load(from: cluster)
        let known = Dictionary(uniqueKeysWithValues: description.nodes.map { ($0.id, $0) })
        description.nodes = membership.members.map { member in
            var node =
                known[member.id.rawValue]
                ?? ClusterDescription.Node(
                    id: member.id.rawValue, dir: addedMemberDirectory,
                    address: member.address.isEmpty ? nil : member.address)
            node.voter = member.isVoter ? nil : false
            return node
        }
        for gone in known.values where !membership.contains(NodeID(gone.id)) {
            let process = gone.pid.map { " (pid \($0))" } ?? ""
            Output.note(
                "node \(gone.id) is no longer a member: it stops by itself once it has applied its removal (if it "
                    + "does not, stop its process\(process)); 'cluster stop' no longer knows it")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: cluster, isDirectory: &isDirectory), isDirectory.boolValue {
            try description.save(in: cluster)
        } else {
            try description.save(toFile: cluster)
        }
        return description.nodes
    }

    /// When `node` leads, hands leadership to another voter first: a leader cannot remove itself.
    func handOverIfLeading(_ node: UInt32, client: PaxosLogClient) async throws {
        guard (try? await client.status(of: node))?.role == "leader" else { return }
        let description = try ClusterDescription.load(from: cluster)
        guard let successor = description.nodes.first(where: { $0.isVoter && $0.id != node })?.id else {
            throw CLIError("node \(node) is the only voter; it cannot be removed")
        }
        _ = try await client.transferLeadership(to: successor, timeout: timeLimit)
    }

    func validateNode(_ id: UInt32, _ name: String) throws {
        guard id >= 1 else { throw ValidationError("\(name) must be a node id (1 or more)") }
        try validateTimeout()
    }
}

/// `paxoslog cluster add`.
struct ClusterAdd: AsyncParsableCommand, MembershipCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a member as a learner: it receives the log and votes in nothing until promoted.",
        discussion: """
            The change goes through the log (one membership change at a time). The cluster \
            description (--cluster) gets the new member, marked as a learner; start it with \
            `paxoslog node --config FILE --id K --join` (an empty data directory), let it catch \
            up, then `paxoslog cluster promote K`.

            Example:
              paxoslog cluster add --cluster /tmp/demo --id 4 --address unix:/tmp/demo/node-4.sock --data /tmp/demo/node-4
            """
    )

    @Option(help: "The cluster: a directory of 'cluster start --dir', or a cluster file of 'cluster init'.")
    var cluster: String

    @Option(help: "The new member's id (not a member's now).")
    var id: UInt32

    @Option(help: "Where the others reach it: unix:PATH or tcp:HOST:PORT.", transform: AddressArgument.parse)
    var address: TransportAddress

    @Option(help: "Its data directory, recorded in the cluster description for 'node --config'.")
    var data: String?

    @Option(help: "Seconds to find the leader and see the change chosen before giving up.")
    var timeout: Double = 10

    @Flag(help: "Print the members as JSON.")
    var json = false

    @OptionGroup(title: "TLS (for nodes reached over TCP)") var tls: ClientTLSOptions

    var change: MembershipChange { .addLearner(NodeID(id), address: address.description) }
    var addedMemberDirectory: String? { data }

    func validate() throws {
        try validateNode(id, "--id")
    }

    func run() async throws { try await runChange() }
}

/// The options `cluster promote` and `remove` share, besides the member they name.
struct MembershipRequestOptions: ParsableArguments {
    @Option(help: "The cluster: a directory of 'cluster start --dir', or a cluster file of 'cluster init'.")
    var cluster: String

    @Option(help: "Seconds to find the leader and see the change chosen before giving up.")
    var timeout: Double = 10

    @Flag(help: "Print the members as JSON.")
    var json = false

    @OptionGroup(title: "TLS (for nodes reached over TCP)") var tls: ClientTLSOptions
}

/// A command whose common options are a `MembershipRequestOptions` group.
protocol MembershipRequestCommand: MembershipCommand {
    var request: MembershipRequestOptions { get }
}

extension MembershipRequestCommand {
    var cluster: String { request.cluster }
    var timeout: Double { request.timeout }
    var json: Bool { request.json }
    var tls: ClientTLSOptions { request.tls }
}

/// `paxoslog cluster promote`.
struct ClusterPromote: AsyncParsableCommand, MembershipRequestCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Make a learner a voter, once it has caught up with the log.",
        discussion: """
            Refused (exit 1, with the reason) while the learner is more than one pipeline behind \
            the commit index, or when fewer of the new voters answer than the new quorum needs. \
            The leader then runs phase 1 again under the new voters.

            Example:
              paxoslog cluster promote --cluster /tmp/demo 4
            """
    )

    @OptionGroup var request: MembershipRequestOptions

    @Argument(help: "The learner to promote.")
    var node: UInt32

    var change: MembershipChange { .promote(NodeID(node)) }

    func validate() throws { try validateNode(node, "the node") }

    func run() async throws { try await runChange() }
}

/// `paxoslog cluster remove`.
struct ClusterRemove: AsyncParsableCommand, MembershipRequestCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Take a member out of the cluster (a voter or a learner).",
        discussion: """
            The voters shrink by one; the removed node takes part in nothing more, and stops by \
            itself once it has applied its removal. To \
            remove the leader, the command first hands leadership to another voter (as \
            `cluster transfer-leader` does), then removes it. Refused when fewer of the \
            remaining voters answer than their quorum needs.

            Example:
              paxoslog cluster remove --cluster /tmp/demo 3
            """
    )

    @OptionGroup var request: MembershipRequestOptions

    @Argument(help: "The member to remove.")
    var node: UInt32

    var change: MembershipChange { .remove(NodeID(node)) }

    func validate() throws { try validateNode(node, "the node") }

    func run() async throws {
        try await handOverIfLeading(node, client: try makeClient())
        try await runChange()
    }
}
