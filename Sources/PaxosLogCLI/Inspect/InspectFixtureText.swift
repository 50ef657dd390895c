/// Deterministic, log-like text for fixtures and benchmarks: lines that look like a service's
/// log (timestamps, levels, keys and ids), so compression sees realistic redundancy.
struct InspectFixtureText {
    private var state: UInt64
    private var tick: UInt64 = 0

    init(seed: UInt64) {
        state = seed ^ 0x9E37_79B9_7F4A_7C15
    }

    /// The next pseudo-random 64 bits (SplitMix64: tiny, and the same on every platform).
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// One log line, 70-130 bytes.
    mutating func logLine() -> String {
        tick += 1 + next() % 900
        let seconds = tick / 1000
        let millis = tick % 1000
        let levels = ["INFO ", "INFO ", "INFO ", "DEBUG", "WARN "]
        let events = [
            "append committed", "heartbeat ok", "lease renewed", "client connected", "batch flushed",
            "snapshot taken",
        ]
        let level = levels[Int(next() % UInt64(levels.count))]
        let event = events[Int(next() % UInt64(events.count))]
        let time = "2026-01-01T00:" + two(seconds / 60 % 60) + ":" + two(seconds % 60) + "." + three(millis) + "Z"
        return "\(time) \(level) node=\(1 + next() % 3) \(event) request=\(next() % 100_000) "
            + "latency_us=\(50 + next() % 5000)"
    }

    /// `count` incompressible bytes.
    mutating func noise(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            var word = next()
            for _ in 0..<min(8, count - bytes.count) {
                bytes.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return bytes
    }

    private func two(_ value: UInt64) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private func three(_ value: UInt64) -> String {
        String(repeating: "0", count: 3 - String(value).count) + "\(value)"
    }
}
