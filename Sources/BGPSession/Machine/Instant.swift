/// A point on a monotonic clock, in nanoseconds. The session code never reads
/// a clock: every event comes with the time it happened, so tests drive it
/// with a manual clock and the daemon with a real one.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = Instant(nanoseconds: 0)

    public static func + (a: Instant, d: Duration) -> Instant {
        Instant(nanoseconds: a.nanoseconds &+ d.nanoseconds)
    }

    public static func - (a: Instant, b: Instant) -> Duration {
        .nanoseconds(a.nanoseconds &- b.nanoseconds)
    }

    public static func < (a: Instant, b: Instant) -> Bool { a.nanoseconds < b.nanoseconds }

    public var description: String { "t+\(Double(nanoseconds) / 1e9)s" }
}

extension Duration {
    /// Whole nanoseconds, saturating at the Int64 range.
    public var nanoseconds: Int64 {
        let (s, atto) = components
        let (ns, o1) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if o1 { return s < 0 ? .min : .max }
        let (sum, o2) = ns.addingReportingOverflow(atto / 1_000_000_000)
        return o2 ? (ns < 0 ? .min : .max) : sum
    }

    /// Scales by a factor, as jitter does.
    func scaled(by f: Double) -> Duration {
        .nanoseconds(Int64(Double(nanoseconds) * f))
    }
}

/// SplitMix64: the session's source of jitter, seeded by its owner so that
/// a run can be replayed.
public struct Jitter: Sendable {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// RFC 4271 §10: timers are multiplied by a random factor in 0.75...1.0.
    mutating func apply(_ d: Duration) -> Duration {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let unit = Double(z >> 11) / Double(1 << 53)
        return d.scaled(by: 0.75 + 0.25 * unit)
    }
}
