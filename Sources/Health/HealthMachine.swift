import BGPSession

/// A change of a health check's verdict, as `HealthMachine` reports it.
public enum HealthTransition: Hashable, Sendable {
    case up, down
}

/// The rise/fall/hold-down rule of one health check, with no clock and no I/O:
/// probe results come in with the time they were taken, and the verdict's
/// changes come out as values. The same machine gates a node's VIP ownership
/// (on the local API server) and, later, an IPVS backend's weight.
///
/// The rule:
/// - **Start down.** A node must not claim a VIP before its API server has
///   answered `rise` times in a row. No hold-down applies at start: the first
///   complete rise streak brings it up at once.
/// - **Fall.** While up, `fall` failures in a row bring it down. A success
///   resets the failure count, so scattered failures never take it down.
/// - **Rise.** While down, `rise` successes in a row bring it up. A failure
///   resets the success count.
/// - **Hold-down (flap dampening).** After a fall, it stays down until
///   `holdDown` has passed since the fall, whatever the probes say. The rise
///   streak still counts during the hold-down: a streak that is complete when
///   the hold-down ends brings it up at that instant (`tick`), without
///   waiting for one more probe. A failure during the hold-down resets the
///   streak as usual, so it comes up only after `rise` fresh successes that
///   end no earlier than the hold-down.
///
///   The hold-down runs from the fall, not from the last failure: a server
///   that flaps every few probes moves the VIP at most once per `holdDown`
///   plus `rise` probes (one fall, then one rise), instead of once per flap;
///   a server that fails for good stays down with no timer to re-arm.
///
/// Counts are kept up to `rise` and `fall` (they saturate), so the machine's
/// state stays small and `Hashable` compares meaningfully.
public struct HealthMachine: Hashable, Sendable {
    /// Successes in a row needed to come up (at least 1).
    public let rise: Int
    /// Failures in a row needed to go down (at least 1).
    public let fall: Int
    /// The least time to stay down after a fall.
    public let holdDown: Duration

    public private(set) var isUp = false
    /// Successes in a row while down, since the last failure (at most `rise`).
    public private(set) var successes = 0
    /// Failures in a row while up, since the last success (at most `fall`).
    public private(set) var failures = 0
    /// When it last went down by a fall; nil before the first fall, so the
    /// start is not held down.
    public private(set) var fellAt: Instant?

    /// Starts DOWN (a node must not claim a VIP before its API server answered
    /// `rise` times); hold_down does not apply at start. `rise` and `fall`
    /// below 1 count as 1 (the config refuses them; the machine must not
    /// come up on no evidence), and a negative `holdDown` as zero.
    public init(rise: Int, fall: Int, holdDown: Duration) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
        self.holdDown = max(.zero, holdDown)
    }

    /// Records one probe result taken at `now`, and returns the transition if
    /// there is one. Goes down after `fall` failures in a row; comes back after
    /// `rise` successes in a row, but not before `holdDown` has passed since it
    /// went down (a streak that completes during the hold-down comes up at
    /// `holdDownEnds`, through `tick`, or at the next success after it).
    public mutating func record(success: Bool, at now: Instant) -> HealthTransition? {
        if success {
            failures = 0
            guard !isUp else { return nil }
            successes = min(successes + 1, rise)
            return riseIfDue(now: now)
        }
        successes = 0
        guard isUp else { return nil }
        failures = min(failures + 1, fall)
        guard failures >= fall else { return nil }
        isUp = false
        failures = 0
        fellAt = now
        return .down
    }

    /// The instant at which a pending hold-down ends (the runner sets a timer
    /// and calls `tick` then), or nil. It is pending while the machine is down
    /// with a complete rise streak that only the hold-down keeps down; a
    /// failure clears it.
    public var holdDownEnds: Instant? {
        guard !isUp, successes >= rise else { return nil }
        return holdDownEnd
    }

    /// Advances the time with no probe result: comes up if a complete rise
    /// streak was waiting for the hold-down to end and it has.
    public mutating func tick(now: Instant) -> HealthTransition? {
        riseIfDue(now: now)
    }

    /// When the hold-down of the last fall ends, or nil if none applies.
    private var holdDownEnd: Instant? {
        guard let fellAt, holdDown > .zero else { return nil }
        return fellAt + holdDown
    }

    private mutating func riseIfDue(now: Instant) -> HealthTransition? {
        guard !isUp, successes >= rise else { return nil }
        if let end = holdDownEnd, now < end { return nil }
        isUp = true
        successes = 0
        return .up
    }
}
