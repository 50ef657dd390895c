import CoreMetrics
import Prometheus

/// One node's Prometheus registry: the factory its ``NodeMetrics`` are made through, with the
/// buckets each histogram needs, and the text a scrape returns.
struct PrometheusExport: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    /// The factory every series of this node is made through.
    var metricsFactory: any MetricsFactory { factory }

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            NodeMetrics.Histograms.fsync: NodeMetrics.Histograms.fsyncBuckets,
            NodeMetrics.Histograms.commitLatency: NodeMetrics.Histograms.commitBuckets,
        ]
        factory.valueHistogramBuckets = [NodeMetrics.Histograms.recordsPerFsync: NodeMetrics.Histograms.recordBuckets]
        self.factory = factory
    }

    /// Every series in the Prometheus text exposition format (version 0.0.4).
    func text() -> [UInt8] {
        registry.emitToBuffer()
    }
}
