/// The records a benchmark appends: a fixed pool, so generating them costs nothing per append.
///
/// The pool is large (up to 8192 records, about 32 MiB at most) so that no frame holds the same
/// record twice: repeats within a frame would let the codec compress "random" data.
struct BenchRecords: Sendable {
    /// The pool; appender `w` cycles through it from offset `w`.
    let pool: [[UInt8]]

    /// `count` records of exactly `size` bytes: incompressible noise, or log lines (`text`) cut or
    /// repeated to the size, which compress the way real service logs do.
    init(size: Int, text: Bool) {
        let count = max(64, min(8192, (32 << 20) / max(1, size)))
        var generator = InspectFixtureText(seed: 42)
        pool = (0..<count).map { _ in
            guard text else { return generator.noise(size) }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(size + 200)
            while bytes.count < size { bytes += Array((generator.logLine() + "\n").utf8) }
            return Array(bytes.prefix(size))
        }
    }

    /// Record number `index` for appender `writer`.
    func record(writer: Int, index: Int) -> [UInt8] {
        pool[(writer &* 31 &+ index) % pool.count]
    }
}
