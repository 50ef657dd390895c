import ArgumentParser
import PaxosNode

/// How a node lays out and checkpoints its storage: options of `node`, which `cluster start`
/// takes too and passes on to the nodes it creates.
struct NodeStorageOptions: ParsableArguments {
    @Option(
        name: .customLong("segment-mib"),
        help: """
            Segment size of the journal and the log store, in MiB (preallocated; old segments are \\
            deleted whole).
            """)
    var segmentMiB: Int = 64

    @Option(
        name: .customLong("checkpoint-interval"),
        help: """
            Seconds between checkpoints of a node's state (DATA/checkpoint). A restart replays only \\
            the journal written since the last one, and journal segments before it are deleted.
            """)
    var checkpointIntervalSeconds: Double = 10

    @Option(
        name: .customLong("retain-entries"),
        help: """
            Keep about this many of the latest entries: the leader trims the log (through the log, \
            as 'paxoslog trim' does) once it holds a tenth more. 0 keeps everything.
            """)
    var retainEntries: UInt64 = 0

    @Option(
        name: .customLong("retain-bytes"),
        help: """
            Keep about this many bytes of log segments on each node (e.g. 10GiB): the leader trims \
            the entries of the oldest segments beyond it. 0 keeps everything.
            """)
    var retainBytes = ByteCount(bytes: 0)

    func validate() throws {
        guard (1...1024).contains(segmentMiB) else { throw ValidationError("--segment-mib must be from 1 to 1024") }
        guard checkpointIntervalSeconds > 0 else { throw ValidationError("--checkpoint-interval must be positive") }
    }

    /// The same options on a `node` command line.
    var nodeArguments: [String] {
        [
            "--segment-mib", "\(segmentMiB)", "--checkpoint-interval", "\(checkpointIntervalSeconds)",
            "--retain-entries", "\(retainEntries)", "--retain-bytes", "\(retainBytes.bytes)",
        ]
    }

    var retention: RetentionPolicy { RetentionPolicy(entries: retainEntries, bytes: retainBytes.bytes) }

    var checkpointInterval: Duration { .milliseconds(Int64(checkpointIntervalSeconds * 1000)) }
}
