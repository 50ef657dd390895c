import Foundation
import PaxosTransport
import Testing

@testable import PaxosLogClient

/// Cluster files: members with an address only, paths relative to the file, clear refusals.
@Suite struct ClusterDescriptionTests {
    func withFile(_ json: String, _ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ClusterSecret.random().write(to: dir + "/cluster.secret")
        try Data(json.utf8).write(to: URL(fileURLWithPath: dir + "/hosts.json"))
        try body(dir)
    }

    @Test func membersNeedOnlyAnIdAndAnAddress() throws {
        let json = """
            {"cluster_id": "7c9", "secret_file": "cluster.secret", "tls_dir": "tls",
             "nodes": [{"id": 1, "address": "tcp:10.0.0.1:7000"}, {"id": 2, "address": "tcp:10.0.0.2:7000"}]}
            """
        try withFile(json) { dir in
            let description = try ClusterDescription.load(from: dir + "/hosts.json")
            #expect(description.clusterIDValue == 0x7c9)
            #expect(description.address(of: 2) == .tcp(host: "10.0.0.2", port: 7000))
            #expect(description.nodes.allSatisfy { $0.pid == nil && $0.dir == nil && $0.argv == nil })
            #expect(description.resolvedTLSDirectory == dir + "/tls", "relative to the file's directory")
            #expect(description.secret != nil)
        }
    }

    @Test func aMemberWithNoWayToReachItIsRefusedByName() throws {
        try withFile(#"{"cluster_id": "1", "nodes": [{"id": 1, "address": "tcp:h:1"}, {"id": 2}]}"#) { dir in
            #expect {
                try ClusterDescription.load(from: dir + "/hosts.json")
            } throws: { error in
                (error as? ClientError)?.message == "\(dir)/hosts.json: node 2 has neither an 'address' nor a 'socket'"
            }
        }
        try withFile(
            #"{"cluster_id": "1", "nodes": [{"id": 1, "address": "tcp:h:1"}, {"id": 1, "address": "tcp:h:2"}]}"#
        ) { dir in
            #expect(throws: ClientError.self) { try ClusterDescription.load(from: dir + "/hosts.json") }
        }
    }
}
