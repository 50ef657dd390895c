import PaxosCore
import PaxosTestSupport
import PaxosTransport

@testable import PaxosNode

/// The peers' connections in the whole-node simulation: every frame a node core sends waits in
/// one pool until the simulation delivers, drops or duplicates it, in an order its seed chooses.
///
/// A node core flushes its peers in the order of a dictionary, which changes from one process to
/// the next; the pool is kept in an order of its own (sender, receiver, then the order on that
/// link), so that the same seed picks the same frame in every run.
final class SimulatedPeerNetwork {
    struct Message {
        var from: NodeID
        var to: NodeID
        /// The frame's place on its link: frames of one link keep the order they were sent in.
        var number: UInt64
        var frame: Frame
    }

    private(set) var inFlight: [Message] = []
    /// Frames sent since the simulation last looked, for its checks at the moment they leave.
    private(set) var sent: [Message] = []
    private var nextNumber: [[UInt32]: UInt64] = [:]

    var isEmpty: Bool { inFlight.isEmpty }

    func send(_ frames: [Frame], from: NodeID, to: NodeID) {
        for frame in frames {
            let link = [from.rawValue, to.rawValue]
            let number = nextNumber[link, default: 0]
            nextNumber[link] = number + 1
            let message = Message(from: from, to: to, number: number, frame: frame)
            let place = inFlight.firstIndex { Self.precedes(message, $0) } ?? inFlight.endIndex
            inFlight.insert(message, at: place)
            sent.append(message)
        }
    }

    /// The frames sent since the last call.
    func takeSent() -> [Message] {
        defer { sent = [] }
        return sent
    }

    /// Removes and returns a frame chosen by `generator`: any frame may overtake any other.
    func takeRandom(using generator: inout SeededGenerator) -> Message? {
        guard !inFlight.isEmpty else { return nil }
        return inFlight.remove(at: Int.random(in: inFlight.indices, using: &generator))
    }

    /// Delivers a frame chosen by `generator` twice (a copy stays in flight).
    func duplicateRandom(using generator: inout SeededGenerator) {
        guard let copy = inFlight.randomElement(using: &generator) else { return }
        let place = inFlight.firstIndex { Self.precedes(copy, $0) } ?? inFlight.endIndex
        inFlight.insert(copy, at: place)
    }

    /// Loses every frame for which `isLost` is true (a crashed receiver's connections).
    func removeAll(where isLost: (Message) -> Bool) {
        inFlight.removeAll(where: isLost)
    }

    private static func precedes(_ a: Message, _ b: Message) -> Bool {
        (a.from.rawValue, a.to.rawValue, a.number) < (b.from.rawValue, b.to.rawValue, b.number)
    }
}

/// One node's sending end to one peer, into the simulated network. A sender the node closed (it
/// stopped, or let the peer go) must send nothing more: the simulation counts it as a violation.
final class SimulatedPeerSender: PeerSender {
    let network: SimulatedPeerNetwork
    let from: NodeID
    let to: NodeID
    private(set) var isClosed = false
    /// Frames sent after `close()`: a node that stopped must send nothing.
    private(set) var sentAfterClose = 0
    /// The node crashed: whatever it still flushes dies with the process.
    var isDead = false

    init(network: SimulatedPeerNetwork, from: NodeID, to: NodeID) {
        self.network = network
        self.from = from
        self.to = to
    }

    func send(_ frames: [Frame]) {
        guard !isClosed else {
            sentAfterClose += frames.count
            return
        }
        guard !isDead else { return }
        network.send(frames, from: from, to: to)
    }

    func close() {
        isClosed = true
    }
}

/// Dials peers in the simulated network, keeping every sender it made for the checks.
final class SimulatedPeerDialer: PeerDialer {
    let network: SimulatedPeerNetwork
    let node: NodeID
    private(set) var senders: [SimulatedPeerSender] = []

    init(network: SimulatedPeerNetwork, node: NodeID) {
        self.network = network
        self.node = node
    }

    func dial(_ peer: NodeID, at address: TransportAddress) -> any PeerSender {
        let sender = SimulatedPeerSender(network: network, from: node, to: peer)
        senders.append(sender)
        return sender
    }
}
