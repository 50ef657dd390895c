import ArgumentParser
import PaxosLogClient

/// A command that asks a cluster's leader for one thing and gives up after `--timeout` seconds
/// (`cluster transfer-leader`, `trim`): it names the cluster, how long to keep trying, and how to
/// reach nodes over TCP.
///
/// Each command declares these options itself, so its help keeps its own words, default and
/// order; what it does with them is here, once. Finding the leader and following its redirects is
/// the client's (`PaxosLogClient.throughLeader`), and an error thrown from `run()` becomes exit 1
/// in `PaxosLog.main`. Unrelated to `ClusterClientCommand`, which chooses where a command's tasks
/// run: conforming here changes nothing about that.
protocol LeaderRequestCommand {
    /// `--cluster`: a directory of `cluster start --dir`, or a cluster file of `cluster init`.
    var cluster: String { get }
    /// `--timeout`, in seconds.
    var timeout: Double { get }
    var tls: ClientTLSOptions { get }
}

extension LeaderRequestCommand {
    /// `--timeout` as the client takes it.
    var timeLimit: Duration { .milliseconds(Int64(timeout * 1000)) }

    /// Refuses a `--timeout` that is not positive (a usage error).
    func validateTimeout() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    /// A client of the cluster, with the TLS options applied.
    func makeClient() throws -> PaxosLogClient { try tls.client(of: cluster) }
}
