import ArgumentParser
import Foundation
import PaxosLogClient

/// `paxoslog cluster stop`.
struct ClusterStop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop every node of a local cluster (SIGTERM, then SIGKILL after 10 s). Data is kept."
    )

    @OptionGroup var cluster: ClusterDirectoryOption

    func run() async throws {
        let dir = cluster.absolute
        let description = try cluster.loadDescription()
        var running: [(id: UInt32, pid: Int32, pidPath: String)] = []
        for node in description.nodes {
            let pidPath = dir + "/node-\(node.id).pid"
            if let pid = PidFile.liveNode(pidPath: pidPath, started: node.pid) {
                kill(pid, SIGTERM)
                running.append((node.id, pid, pidPath))
            } else if PidFile.read(pidPath) != nil {
                unlink(pidPath)  // left by a killed process
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        func anyRunning() -> Bool { running.contains { PidFile.isLiveNode($0.pid, pidPath: $0.pidPath) } }
        while ContinuousClock.now < deadline, anyRunning() {
            try await Task.sleep(for: .milliseconds(50))
        }
        for node in running where PidFile.isLiveNode(node.pid, pidPath: node.pidPath) {
            Output.note("node \(node.id) (pid \(node.pid)) did not stop within 10 s; sending SIGKILL")
            kill(node.pid, SIGKILL)
            unlink(node.pidPath)
        }
        Output.line("stopped \(running.count) node\(running.count == 1 ? "" : "s")")
    }
}
