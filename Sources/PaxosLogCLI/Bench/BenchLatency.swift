import Histogram

/// A latency distribution in nanoseconds (HdrHistogram: 3 significant digits, up to 60 s).
struct BenchLatency: Sendable {
    /// The recorded latencies.
    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)

    /// Records one latency.
    mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = max(0, seconds) * 1_000_000_000 + attoseconds / 1_000_000_000
        _ = histogram.record(UInt64(min(nanoseconds, 60_000_000_000)))
    }

    /// Adds another distribution's values to this one.
    mutating func add(_ other: BenchLatency) {
        histogram.add(other.histogram)
    }

    /// The given percentile in microseconds (0 when nothing was recorded).
    func microseconds(atPercentile percentile: Double) -> Double {
        guard histogram.totalCount > 0 else { return 0 }
        return Double(histogram.valueAtPercentile(percentile)) / 1000
    }
}
