import NIOCore
import NIOEmbedded
import PaxosCore
import PaxosLogStore
import PaxosProtocol
import PaxosTransport

@testable import PaxosNode

/// One run of one node in the whole-node simulation, from its start to its crash or failure: a
/// real `NodeCore` on its own `EmbeddedEventLoop`, whose tasks run and whose time moves only when
/// the simulation says, over a real log store in a temporary directory.
final class SimulatedNode {
    let id: NodeID
    let loop: EmbeddedEventLoop
    let core: NodeCore
    let logStore: LogStore
    let dialer: SimulatedPeerDialer
    /// The simulation's time when this run started: the loop's time counts from there.
    let bornAt: Int64
    /// Each simulated client's connection to this run: its channel and the id the core gave it.
    private var connections: [Int: (channel: EmbeddedChannel, id: Int)] = [:]

    init(
        id: NodeID, loop: EmbeddedEventLoop, core: NodeCore, logStore: LogStore, dialer: SimulatedPeerDialer,
        bornAt: Int64
    ) {
        self.id = id
        self.loop = loop
        self.core = core
        self.logStore = logStore
        self.dialer = dialer
        self.bornAt = bornAt
    }

    /// Moves the loop's time to the simulation's `now` (in nanoseconds), running the ticks due.
    func advance(to now: Int64) {
        loop.advanceTime(to: .uptimeNanoseconds(UInt64(max(0, now - bornAt))))
    }

    /// The id the core knows `client`'s connection by, connecting it first if need be.
    func connection(for client: Int) -> Int {
        if let known = connections[client] { return known.id }
        let channel = EmbeddedChannel(loop: loop)
        let id = core.registerClient(channel)
        connections[client] = (channel, id)
        return id
    }

    /// The frames the core wrote to each client since the last call, by client, in client order.
    func takeClientFrames() throws -> [(client: Int, frame: Frame)] {
        var frames: [(client: Int, frame: Frame)] = []
        for (client, connection) in connections.sorted(by: { $0.key < $1.key }) {
            while let frame = try connection.channel.readOutbound(as: Frame.self) {
                frames.append((client, frame))
            }
        }
        return frames
    }

    /// Frames sent after the node closed the link they went on: a stopped node must send nothing.
    var framesSentAfterClose: Int { dialer.senders.reduce(0) { $0 + $1.sentAfterClose } }

    /// The process is gone: nothing it still flushes leaves, its timers stop, its files close.
    func tearDown() throws {
        for sender in dialer.senders { sender.isDead = true }
        core.stop()
        loop.run()
        try loop.syncShutdownGracefully()
        logStore.close()
    }
}
