import PaxosProtocol

/// The values of one catch-up reply, gathered in slot order within the configured bounds: at most
/// `catchUpChunkSlots` slots and, past the first, `catchUpChunkBytes` bytes. Used by the replica
/// for slots it holds in memory and by its caller for older ones read from the log store, so a
/// reply has the same shape wherever its values come from.
public struct CatchUpChunk: Sendable {
    public private(set) var values: [SlotValue] = []
    private var bytes = 0
    private let maxSlots: Int
    private let maxBytes: Int

    public init(configuration: ReplicaConfiguration) {
        maxSlots = max(1, configuration.catchUpChunkSlots)
        maxBytes = configuration.catchUpChunkBytes
    }

    /// Whether another value may be added.
    public var hasRoom: Bool { values.count < maxSlots && (values.isEmpty || bytes < maxBytes) }

    /// Adds the next slot's value.
    public mutating func add(_ value: SlotValue) {
        values.append(value)
        bytes += value.byteCount
    }
}
