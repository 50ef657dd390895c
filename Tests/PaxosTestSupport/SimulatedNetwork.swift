/// A message in flight between two simulated nodes.
public struct Envelope<Payload: Sendable>: Sendable {
    public var from: UInt32
    public var to: UInt32
    public var payload: Payload

    public init(from: UInt32, to: UInt32, payload: Payload) {
        self.from = from
        self.to = to
        self.payload = payload
    }
}

/// An unreliable network for seeded simulations: every message sent waits in one pool, and the
/// simulation decides, with its seeded generator, which one is delivered next (reordering and
/// delay), which is dropped and which is duplicated.
public struct SimulatedNetwork<Payload: Sendable>: Sendable {
    public private(set) var inFlight: [Envelope<Payload>] = []

    public init() {}

    public var isEmpty: Bool { inFlight.isEmpty }

    public mutating func send(_ envelope: Envelope<Payload>) {
        inFlight.append(envelope)
    }

    /// Removes and returns a randomly chosen message: any message may overtake any other.
    public mutating func takeRandom(using generator: inout SeededGenerator) -> Envelope<Payload>? {
        guard !inFlight.isEmpty else { return nil }
        let index = Int.random(in: inFlight.indices, using: &generator)
        inFlight.swapAt(index, inFlight.count - 1)
        return inFlight.removeLast()
    }

    /// Loses a randomly chosen message.
    public mutating func dropRandom(using generator: inout SeededGenerator) {
        _ = takeRandom(using: &generator)
    }

    /// Delivers a randomly chosen message twice (it stays in flight and a copy is added).
    public mutating func duplicateRandom(using generator: inout SeededGenerator) {
        guard let copy = inFlight.randomElement(using: &generator) else { return }
        inFlight.append(copy)
    }

    /// Removes every message for which `isLost` is true (a partition, a crashed receiver).
    public mutating func removeAll(where isLost: (Envelope<Payload>) -> Bool) {
        inFlight.removeAll(where: isLost)
    }
}
