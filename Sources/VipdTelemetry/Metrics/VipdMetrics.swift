import Prometheus

/// Every vipd metric of interfaces.md, in one Prometheus registry.
///
/// The daemon owns one instance and calls it from its event loop only: the
/// caches below (one counter or gauge object per label set, so a per-message
/// bump is two dictionary lookups and an atomic add) are plain dictionaries
/// with that single owner, which is why the class is not `Sendable`. The
/// registry is: the HTTP server reads it from its own threads through
/// `registry.emit`, under the registry's internal lock.
///
/// Series are created the first time something is said about their labels,
/// and removed again by the `forget…` methods when a peer, VIP, election,
/// interface, health check or IPVS backend leaves the config, so a scrape
/// never shows a peer that no longer exists.
///
/// Metrics go straight to `PrometheusCollectorRegistry` rather than through
/// swift-metrics' global `MetricsSystem`: the registry hands back the exact
/// series object for a label set and `unregisterGauge`/`unregisterCounter`
/// remove that one series, each instance is independent (tests make their
/// own), and nothing needs a process-wide bootstrap. Libraries that speak
/// swift-metrics can still feed the same registry via `makeMetricsFactory()`.
public final class VipdMetrics {
    /// The registry that `/metrics` renders.
    public let registry: PrometheusCollectorRegistry

    var peers: [String: PeerSeries] = [:]
    var vips: [String: (mode: String, gauge: Gauge)] = [:]
    var electionLeaders: [String: Gauge] = [:]
    var electionTransitions: [String: Counter] = [:]
    var garpSent: [String: Counter] = [:]
    var naSent: [String: Counter] = [:]
    var healthChecks: [String: Gauge] = [:]
    var ipvsBackends: [IPVSBackendKey: Gauge] = [:]
    let failover: DurationHistogram

    /// Failover histogram buckets, in seconds: fine from 1 ms (a takeover
    /// decision to the first gratuitous ARP takes milliseconds; the target
    /// is 5 ms) and around the 2-3 s of a whole failover with a 2 s lease,
    /// coarse up to a minute.
    public static let failoverBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(1500),
        .seconds(2), .milliseconds(2500), .seconds(3), .seconds(4), .seconds(5), .milliseconds(7500),
        .seconds(10), .seconds(15), .seconds(30), .seconds(60),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.failover = registry.makeDurationHistogram(
            descriptor: Self.descriptor(MetricName.failoverSeconds, MetricHelp.failoverSeconds),
            buckets: Self.failoverBuckets)
    }

    /// The Prometheus text exposition (format 0.0.4) of every series.
    public func exposition() -> String {
        registry.emitToString()
    }

    /// A swift-metrics factory writing into this registry, for libraries that
    /// report through `MetricsSystem` (bootstrap it once, in the daemon).
    public func makeMetricsFactory() -> PrometheusMetricsFactory {
        PrometheusMetricsFactory(registry: registry)
    }

    // MARK: Building blocks

    func makeGauge(_ name: String, _ help: String, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels)
    }

    func makeCounter(_ name: String, _ help: String, _ labels: [(String, String)]) -> Counter {
        registry.makeCounter(descriptor: Self.descriptor(name, help), labels: labels)
    }

    /// The whole name goes in `metricName`; the descriptor joins its parts
    /// with `_` and skips empty ones, so the name comes out unchanged.
    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Adds `count` to the counter kept in `cache` under `key`, creating it
    /// with `labels` the first time.
    func bump<Key: Hashable>(_ cache: inout [Key: Counter], _ key: Key, by count: Int,
                             _ make: () -> Counter) {
        guard count > 0 else { return }
        if let counter = cache[key] {
            counter.increment(by: Int64(count))
        } else {
            let counter = make()
            cache[key] = counter
            counter.increment(by: Int64(count))
        }
    }

    /// Sets the gauge kept in `cache` under `key`, creating it the first time.
    func set<Key: Hashable>(_ cache: inout [Key: Gauge], _ key: Key, to value: Double, _ make: () -> Gauge) {
        if let gauge = cache[key] {
            gauge.set(value)
        } else {
            let gauge = make()
            cache[key] = gauge
            gauge.set(value)
        }
    }
}

/// The key of one `vipd_ipvs_backend_up` series.
struct IPVSBackendKey: Hashable {
    var service: String
    var backend: String
}
