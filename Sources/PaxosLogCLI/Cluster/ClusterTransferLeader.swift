import ArgumentParser
import Foundation
import PaxosLogClient

/// `paxoslog cluster transfer-leader`.
struct ClusterTransferLeader: AsyncParsableCommand, LeaderRequestCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer-leader",
        abstract: "Hand leadership to a member, then print the members with the new leader marked.",
        discussion: """
            The leader stops proposing new entries, waits until the member has applied everything \
            it proposed, and tells it to start its election at once; the member's higher ballot \
            makes the old leader a follower, which sends its clients to the new one. Appends pause \
            for about a round trip, not an election timeout. If the member has not taken over \
            within the leader's election timeout, the transfer is given up (exit 1, with the \
            reason) and the old leader goes on leading. A leader stopped with SIGTERM (cluster \
            stop, a rolling restart) hands over the same way by itself, to the follower that \
            applied the most.

            Example:
              paxoslog cluster transfer-leader --cluster /tmp/demo --to 2
            """
    )

    @Option(help: "The cluster: a directory of 'cluster start --dir', or a cluster file of 'cluster init'.")
    var cluster: String

    @Option(help: "The member to hand leadership to.")
    var to: UInt32

    @Option(help: "Seconds to find the leader and see the transfer through before giving up.")
    var timeout: Double = 10

    @Flag(help: "Print the members as JSON.")
    var json = false

    @OptionGroup(title: "TLS (for nodes reached over TCP)") var tls: ClientTLSOptions

    func validate() throws {
        guard to >= 1 else { throw ValidationError("--to must be a node id (1 or more)") }
        try validateTimeout()
    }

    func run() async throws {
        let client = try makeClient()
        let leader = try await client.transferLeadership(to: to, timeout: timeLimit)
        MemberList(members: client.cluster.nodes, leader: leader).print(json: json)
    }
}

/// The member set as the membership commands print it: one line per member, the leader marked.
struct MemberList {
    var members: [ClusterDescription.Node]
    var leader: UInt32?

    func print(json: Bool) {
        let sorted = members.sorted { $0.id < $1.id }
        if json {
            let objects: [[String: Any]] = sorted.map { member in
                [
                    "id": member.id, "address": address(of: member), "leader": member.id == leader,
                    "voter": member.isVoter,
                ]
            }
            let data =
                (try? JSONSerialization.data(
                    withJSONObject: ["leader": leader.map { $0 as Any } ?? NSNull(), "members": objects],
                    options: [.sortedKeys])) ?? Data()
            Output.line(String(decoding: data, as: UTF8.self))
            return
        }
        Output.line("node  role     leader  address")
        for member in sorted {
            let marker = member.id == leader ? "yes" : "-"
            Output.line(
                String(member.id).padding(toLength: 6, withPad: " ", startingAt: 0)
                    + (member.isVoter ? "voter" : "learner").padding(toLength: 9, withPad: " ", startingAt: 0)
                    + marker.padding(toLength: 8, withPad: " ", startingAt: 0) + address(of: member))
        }
    }

    private func address(of member: ClusterDescription.Node) -> String {
        member.address ?? member.socket.map { "unix:\($0)" } ?? "-"
    }
}
