import BGPCodec

/// One BGP connection's finite state machine (RFC 4271 §8), pure: events and
/// the time they happened go in, actions come out. It owns the framing of
/// what it receives, the timers, and the OPEN negotiation; the RIB and the
/// transport are its owner's.
///
/// Optional RFC 4271 §8.1 attributes: DelayOpen and DampPeerOscillations
/// (the IdleHold backoff) are supported; SendNOTIFICATIONwithoutOPEN,
/// CollisionDetectEstablishedState and TrackTcpState are off.
public struct SessionMachine: Sendable {
    public private(set) var config: SessionConfig
    var phase: SessionPhase = .idle
    var timers: [TimerKind: Instant] = [:]
    var framer: MessageFramer
    var jitter: Jitter
    /// RFC 4271 §8: counts connection attempts that failed.
    public private(set) var connectRetryCounter = 0
    /// Failures since the session last stayed up for `stableTime`.
    public private(set) var failuresSinceStable = 0
    /// Stopped by an operator: no automatic restart.
    public private(set) var stoppedManually = true
    var passiveStart = false
    public private(set) var lastDownReason: SessionDownReason?
    let localOpen: OpenMessage

    /// RFC 4271 §8.2.2: the hold timer's "large value" while OpenSent.
    static let openSentHoldTime: Duration = .seconds(240)

    public init(config: SessionConfig) {
        self.config = config
        framer = MessageFramer(maxMessageLength: BGPLimits.maxMessageLength)
        jitter = Jitter(seed: config.jitterSeed)
        localOpen = config.localOpen
    }

    public var state: SessionState { phase.state }

    /// The negotiated parameters, from OpenConfirm on.
    public var negotiated: NegotiatedSession? {
        switch phase {
        case .openConfirm(let s): return s.negotiated
        case .established(let s): return s.negotiated
        default: return nil
        }
    }

    /// The peer's OPEN, from OpenConfirm on (collision detection needs it).
    public var remoteOpen: OpenMessage? {
        switch phase {
        case .openConfirm(let s): return s.remoteOpen
        case .established(let s): return s.remoteOpen
        default: return nil
        }
    }

    public var establishedSince: Instant? {
        if case .established(let s) = phase { return s.since }
        return nil
    }

    /// Whether the connection of this machine was opened by the peer.
    public var isInbound: Bool? {
        switch phase {
        case .openSent(let s): return s.inbound
        case .openConfirm(let s): return s.inbound
        case .established(let s): return s.inbound
        default: return nil
        }
    }

    /// When the owner must call `advance(to:)` next.
    public var nextDeadline: Instant? { timers.values.min() }

    public func deadline(_ t: TimerKind) -> Instant? { timers[t] }

    // MARK: events

    public mutating func handle(_ event: SessionEvent, at now: Instant) -> [SessionAction] {
        var out = Output(from: state)
        switch event {
        case .manualStart(let passive):
            if case .idle = phase {
                stoppedManually = false
                connectRetryCounter = 0
                timers[.idleHold] = nil
                start(passive: passive, now: now, &out)
            }
        case .automaticStart(let passive):
            if case .idle = phase, !stoppedManually, timers[.idleHold] == nil {
                start(passive: passive, now: now, &out)
            }
        case .manualStop(let subcode, let message):
            stoppedManually = true
            connectRetryCounter = 0
            if phase.isConnected {
                fail(.sent(.cease(subcode, message: message)), now: now, &out)
            } else {
                toIdle(reason: nil, now: now, &out)
            }
            timers[.idleHold] = nil
        case .tcpConnected(let inbound):
            connected(inbound: inbound, now: now, &out)
        case .tcpConnectionFails:
            connectionFailed(now: now, &out)
        case .received(let bytes):
            received(bytes, now: now, &out)
        case .sendUpdates(let messages):
            if case .established = phase, !messages.isEmpty {
                out.send(messages.flatMap { $0 })
                armKeepalive(now: now)
            }
        case .sendRouteRefresh(let rr):
            if case .established(let s) = phase, s.negotiated.routeRefresh,
               let bytes = try? MessageCodec.encode(.routeRefresh(rr), context: s.negotiated.sendContext) {
                out.send(bytes)
                armKeepalive(now: now)
            }
        case .sendBlocked(let blocked):
            if blocked && phase.isConnected {
                if timers[.sendHold] == nil { timers[.sendHold] = now + config.effectiveSendHoldTime }
            } else {
                timers[.sendHold] = nil
            }
        }
        return out.finish(to: state)
    }

    /// Fires every timer due by `now`, earliest first.
    public mutating func advance(to now: Instant) -> [SessionAction] {
        var out = Output(from: state)
        // Each firing either clears or re-arms its timer in the future, so
        // this runs at most once per timer kind and round.
        for _ in 0..<(TimerKind.allCases.count * 4) {
            guard let (kind, at) = timers.filter({ $0.value <= now }).min(by: { ($0.value, $0.key.rawValue) < ($1.value, $1.key.rawValue) }) else { break }
            timers[kind] = nil
            fire(kind, scheduledAt: at, now: now, &out)
            out.mark(state)
        }
        return out.finish(to: state)
    }

    /// A machine promoted to primary after a collision restarts on its own.
    mutating func allowAutomaticRestart(_ on: Bool) {
        config.automaticRestart = on
    }

    // MARK: transitions

    private mutating func start(passive: Bool, now: Instant, _ out: inout Output) {
        passiveStart = passive || config.passive
        timers[.connectRetry] = now + jitter.apply(config.connectRetryTime)
        if passiveStart {
            phase = .active
        } else {
            out.actions.append(.connect)
            phase = .connect
        }
    }

    private mutating func connected(inbound: Bool, now: Instant, _ out: inout Output) {
        switch phase {
        case .connect, .active:
            timers[.connectRetry] = nil
            framer = MessageFramer(maxMessageLength: BGPLimits.maxMessageLength)
            if let delay = config.delayOpenTime {
                timers[.delayOpen] = now + delay
                pendingInbound = inbound
            } else {
                sendOpen(inbound: inbound, now: now, &out)
            }
        case .idle, .openSent, .openConfirm, .established:
            break  // A second connection is the owner's (collision) business.
        }
    }

    /// The direction of a connection waiting out DelayOpen.
    var pendingInbound = false

    mutating func sendOpen(inbound: Bool, now: Instant, _ out: inout Output) {
        timers[.delayOpen] = nil
        if let bytes = try? MessageCodec.encode(.open(localOpen)) { out.send(bytes) }
        timers[.hold] = now + Self.openSentHoldTime
        phase = .openSent(.openSent(inbound: inbound))
    }

    private mutating func connectionFailed(now: Instant, _ out: inout Output) {
        switch phase {
        case .connect where timers[.delayOpen] != nil:
            timers[.delayOpen] = nil
            timers[.connectRetry] = now + jitter.apply(config.connectRetryTime)
            phase = .active
        case .openSent:
            // RFC 4271 §8.2.2: back to listening.
            out.actions.append(.disconnect)
            timers = timers.filter { $0.key == .idleHold }
            timers[.connectRetry] = now + jitter.apply(config.connectRetryTime)
            connectRetryCounter += 1
            phase = .active
        case .connect, .active, .openConfirm, .established:
            fail(.connectionFailed, now: now, &out, sendNotification: false)
        case .idle:
            break
        }
    }

    private mutating func fire(_ kind: TimerKind, scheduledAt: Instant, now: Instant, _ out: inout Output) {
        switch (kind, phase) {
        case (.connectRetry, .connect):
            out.actions.append(.disconnect)
            timers[.delayOpen] = nil
            timers[.connectRetry] = now + jitter.apply(config.connectRetryTime)
            out.actions.append(.connect)
        case (.connectRetry, .active):
            timers[.connectRetry] = now + jitter.apply(config.connectRetryTime)
            if !passiveStart {
                out.actions.append(.connect)
                phase = .connect
            }
        case (.delayOpen, .connect), (.delayOpen, .active):
            sendOpen(inbound: pendingInbound, now: now, &out)
        case (.hold, .openSent), (.hold, .openConfirm), (.hold, .established):
            fail(.sent(NotificationMessage(.holdTimerExpired, 0)), now: now, &out)
        case (.keepalive, .openConfirm), (.keepalive, .established):
            out.send(Self.keepaliveBytes)
            armKeepalive(now: now)
        case (.sendHold, .openSent), (.sendHold, .openConfirm), (.sendHold, .established):
            fail(.sent(NotificationMessage(.sendHoldTimerExpired, 0)), now: now, &out)
        case (.idleHold, .idle):
            if config.automaticRestart && !stoppedManually {
                start(passive: config.passive, now: now, &out)
            }
        default:
            break  // a timer left over from another state
        }
    }

    static let keepaliveBytes = (try? MessageCodec.encode(.keepalive)) ?? []

    mutating func armKeepalive(now: Instant) {
        guard let n = negotiated, n.keepaliveTime > 0 else {
            timers[.keepalive] = nil
            return
        }
        timers[.keepalive] = now + jitter.apply(.seconds(Int64(n.keepaliveTime)))
    }

    mutating func restartHold(now: Instant) {
        guard let n = negotiated, n.holdTime > 0 else {
            timers[.hold] = nil
            return
        }
        timers[.hold] = now + .seconds(Int64(n.holdTime))
    }

    /// Sends the NOTIFICATION when there is one to send and a connection to
    /// send it on, closes, and goes Idle.
    mutating func fail(_ reason: SessionDownReason, now: Instant, _ out: inout Output, sendNotification: Bool = true) {
        if sendNotification, case .sent(let n) = reason, phase.isConnected,
           let bytes = try? MessageCodec.encode(.notification(n)) {
            out.send(bytes)
        }
        connectRetryCounter += 1
        toIdle(reason: reason, now: now, &out)
    }

    private mutating func toIdle(reason: SessionDownReason?, now: Instant, _ out: inout Output) {
        let wasConnected = phase.isConnected
        if case .established(let s) = phase, now - s.since >= config.stableTime {
            failuresSinceStable = 0
        }
        if wasConnected || state == .connect { out.actions.append(.disconnect) }
        if let reason {
            lastDownReason = reason
            out.actions.append(.down(reason))
            failuresSinceStable += 1
        }
        timers = [:]
        framer = MessageFramer(maxMessageLength: BGPLimits.maxMessageLength)
        phase = .idle
        if reason != nil && config.automaticRestart && !stoppedManually {
            timers[.idleHold] = now + idleHoldDelay
        }
    }

    /// RFC 4271 §8.1.1 DampPeerOscillations: the hold-down doubles with each
    /// failure since the last stable session.
    var idleHoldDelay: Duration {
        let shift = min(max(failuresSinceStable - 1, 0), 20)
        // In floating point, capped before it becomes a Duration, so that no
        // configured time can overflow.
        let ns = min(Double(config.idleHoldTime.nanoseconds) * Double(1 << shift), Double(config.maxIdleHoldTime.nanoseconds))
        return .nanoseconds(Int64(max(0, ns)))
    }
}

/// Collects actions, with a state change for every transition, including
/// those inside one call (OpenSent → OpenConfirm → Established when the
/// peer's OPEN and KEEPALIVE arrive in one read).
struct Output {
    private var current: SessionState
    var actions: [SessionAction] = []

    init(from: SessionState) { current = from }

    /// Consecutive sends are merged into one write.
    mutating func send(_ bytes: [UInt8]) {
        if case .send(let prev)? = actions.last {
            actions[actions.count - 1] = .send(prev + bytes)
        } else {
            actions.append(.send(bytes))
        }
    }

    mutating func mark(_ state: SessionState) {
        if state != current {
            actions.append(.stateChanged(from: current, to: state))
            current = state
        }
    }

    func finish(to state: SessionState) -> [SessionAction] {
        var o = self
        o.mark(state)
        return o.actions
    }
}
