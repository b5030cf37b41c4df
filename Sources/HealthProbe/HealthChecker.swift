import BGPSession
import Health
import NIOCore
import Synchronization

/// Runs one health check: a probe every `interval` on one event loop, each
/// result into a `HealthMachine`, and the machine's verdict out through
/// `onChange`. The daemon keeps one for the node check (gating VIP
/// ownership) and, later, one per IPVS backend.
///
/// - Every callback runs on `eventLoop`, in this order for one probe:
///   `onResult`, then `onChange` if the verdict changed.
/// - Probes do not overlap: the next starts `interval` after the previous
///   one started, or as soon as it ended if it took longer (it cannot take
///   much longer than `spec.timeout`, which the config keeps at most
///   `interval`).
/// - The verdict starts down (`HealthMachine`), and `onChange` is not called
///   for that initial state, only on transitions.
/// - A hold-down that keeps a complete rise streak down is a timer at
///   `holdDownEnds`, so the check comes up when it ends, not one probe later.
/// - The clock is NIO's monotonic uptime, as `Instant` nanoseconds.
public final class HealthChecker: @unchecked Sendable {
    // Mutable state is touched only on `eventLoop`, except `up`, which is
    // behind its own lock for `isUp` from any thread.
    public let spec: ProbeSpec
    public let interval: Duration
    public let eventLoop: EventLoop
    private let prober: Prober
    private var machine: HealthMachine
    private let onResult: (ProbeOutcome) -> Void
    private let onChange: (Bool) -> Void
    private var running = false
    /// Bumped by `stop`, so that a probe or timer of an earlier run that
    /// completes late is ignored.
    private var generation = 0
    private var nextProbe: Scheduled<Void>?
    private var holdDownTimer: Scheduled<Void>?
    private let up = Mutex(false)

    /// Probes every `interval` on `eventLoop`; every callback runs ON
    /// eventLoop. A probe that takes longer than `spec.timeout` counts as a
    /// failure and is cancelled (channel closed). No overlapping probes.
    public init(eventLoop: EventLoop, spec: ProbeSpec, interval: Duration, machine: HealthMachine,
                onResult: @escaping (ProbeOutcome) -> Void, onChange: @escaping (Bool) -> Void) {
        self.eventLoop = eventLoop
        self.spec = spec
        self.interval = interval
        self.prober = Prober(spec: spec)
        self.machine = machine
        self.onResult = onResult
        self.onChange = onChange
        self.up.withLock { $0 = machine.isUp }
    }

    /// Starts probing now (the first probe at once). Callable from any
    /// thread; a second start while running does nothing.
    public func start() {
        onLoop {
            guard !self.running else { return }
            self.running = true
            self.generation += 1
            self.armHoldDown()
            self.probe(self.generation)
        }
    }

    /// Stops probing. The verdict stays as it was; a probe in flight still
    /// ends (and closes its channel) within its timeout, but its result is
    /// dropped. Callable from any thread.
    public func stop() {
        onLoop {
            guard self.running else { return }
            self.running = false
            self.generation += 1
            self.nextProbe?.cancel()
            self.nextProbe = nil
            self.holdDownTimer?.cancel()
            self.holdDownTimer = nil
        }
    }

    /// The current verdict; from any thread.
    public var isUp: Bool { up.withLock { $0 } }

    private func probe(_ generation: Int) {
        guard running, generation == self.generation else { return }
        let started = NIODeadline.now()
        prober.probe(on: eventLoop).whenSuccess { outcome in
            guard self.running, generation == self.generation else { return }
            self.onResult(outcome)
            self.apply(self.machine.record(success: outcome.success, at: Self.now()))
            self.armHoldDown()
            self.nextProbe = self.eventLoop.scheduleTask(deadline: started + TimeAmount(self.interval)) {
                self.probe(generation)
            }
        }
    }

    /// Sets (or clears) the timer for a hold-down that holds a complete rise
    /// streak down.
    private func armHoldDown() {
        holdDownTimer?.cancel()
        holdDownTimer = nil
        guard let end = machine.holdDownEnds else { return }
        let generation = self.generation
        let deadline = NIODeadline.uptimeNanoseconds(UInt64(max(0, end.nanoseconds)))
        holdDownTimer = eventLoop.scheduleTask(deadline: deadline) {
            guard self.running, generation == self.generation else { return }
            self.holdDownTimer = nil
            self.apply(self.machine.tick(now: Self.now()))
            self.armHoldDown() // again, should the timer have fired a hair early
        }
    }

    private func apply(_ transition: HealthTransition?) {
        guard let transition else { return }
        let isUp = transition == .up
        up.withLock { $0 = isUp }
        onChange(isUp)
    }

    private func onLoop(_ body: @escaping @Sendable () -> Void) {
        if eventLoop.inEventLoop { body() } else { eventLoop.execute(body) }
    }

    private static func now() -> Instant {
        Instant(nanoseconds: Int64(clamping: NIODeadline.now().uptimeNanoseconds))
    }
}
