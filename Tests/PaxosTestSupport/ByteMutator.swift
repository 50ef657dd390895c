/// Mutates real encodings the way fuzzers do (libFuzzer's byte-level mutators): flipped bits,
/// random bytes, interesting integers written over length and count fields, inserted, removed and
/// repeated ranges, truncation. Driven by a `SeededGenerator`, so every mutant replays from its seed.
public struct ByteMutator {
    /// Values that break length and count checks when written over a field.
    static let interesting: [UInt64] = [
        0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0000_0000_0000,
        0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF,
    ]

    public init() {}

    /// `bytes` with 1 to `maxMutations` mutations applied.
    public func mutate(_ bytes: [UInt8], using generator: inout SeededGenerator, maxMutations: Int = 4) -> [UInt8] {
        var result = bytes
        for _ in 0..<Int.random(in: 1...maxMutations, using: &generator) {
            mutateOnce(&result, using: &generator)
        }
        return result
    }

    private func mutateOnce(_ bytes: inout [UInt8], using generator: inout SeededGenerator) {
        guard !bytes.isEmpty else {
            bytes = [UInt8.random(in: 0...255, using: &generator)]
            return
        }
        let position = Int.random(in: 0..<bytes.count, using: &generator)
        switch Int.random(in: 0..<7, using: &generator) {
        case 0:
            bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
        case 1:
            bytes[position] = UInt8.random(in: 0...255, using: &generator)
        case 2:
            let value = Self.interesting.randomElement(using: &generator) ?? 0
            let width = [1, 2, 4, 8].randomElement(using: &generator) ?? 4
            for offset in 0..<width where position + offset < bytes.count {
                bytes[position + offset] = UInt8(truncatingIfNeeded: value >> (8 * offset))
            }
        case 3:
            let count = Int.random(in: 1...8, using: &generator)
            let inserted = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes.insert(contentsOf: inserted, at: position)
        case 4:
            let end = min(bytes.count, position + Int.random(in: 1...16, using: &generator))
            bytes.removeSubrange(position..<end)
        case 5:
            let end = min(bytes.count, position + Int.random(in: 1...16, using: &generator))
            bytes.insert(contentsOf: bytes[position..<end], at: end)
        default:
            bytes.removeLast(bytes.count - position)
        }
    }
}
