/// SplitMix64 (Steele, Lea and Flood): a seeded, deterministic generator,
/// so a property test that fails on a seed replays exactly. Not for
/// anything that needs unpredictability.
///
/// The one copy for every test target; `state` is public so a test can
/// print where a run stood.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    /// The first value drawn is the finaliser of `seed` plus the golden
    /// ratio increment, as in the reference implementation.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
