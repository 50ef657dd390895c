import PaxosCore

/// The deterministic generator every randomized test draws from, seeded from the test's seed, so a
/// failing run replays exactly: same seed, same choices, same failure.
public typealias SeededGenerator = SplitMix64

extension SplitMix64 {
    /// True with probability `percent`/100.
    public mutating func chance(_ percent: Int) -> Bool {
        Int.random(in: 0..<100, using: &self) < percent
    }
}
