import BGPSession
import Election
import NIOCore

/// What `vipctl election` shows.
public struct ElectionStatus: Sendable, Equatable {
    public var name: String
    public var leader: String?
    public var role: ElectionRole
    public var leaseTTL: Int
    public var leaseRemainingSeconds: Double?
    public var ownsVIP: Bool
    /// The send time of the latest keep-alive etcd acknowledged (fencing
    /// counts from it); for diagnostics and tests.
    public var lastAckedKeepAliveSend: Instant?
}

/// Runs an `ElectionMachine` on one event loop: carries out its actions
/// with the gateway client and feeds answers, watch events and timers back.
/// Every callback runs on `eventLoop`, where the daemon keeps its state, so
/// neither side needs locks. The public inputs may be called from anywhere;
/// they hop to the loop (so a callback may call them without re-entering
/// the machine).
///
/// `resign()` hands over and then campaigns again at the back of the queue
/// (as kube-vip does); `stop()` hands over and revokes the lease (SIGTERM).
public final class ElectionDriver: @unchecked Sendable {
    public let eventLoop: EventLoop
    private var machine: ElectionMachine
    private let client: EtcdGatewayClient?
    private let onOwnership: (Bool) -> Void
    private let onStatus: (ElectionStatus) -> Void
    private var timer: Scheduled<Void>?
    private var watches: [WatchID: (exchange: HTTPExchange, endpoint: Int)] = [:]
    private var stopPromise: EventLoopPromise<Void>?
    private var lastPublished: ElectionStatus?
    /// Why the VIP last went (for logs).
    public private(set) var lastRelease: ReleaseReason?

    public init(eventLoop: EventLoop, settings: ElectionSettings, endpoints: EtcdEndpoints,
                onOwnership: @escaping (Bool) -> Void, onStatus: @escaping (ElectionStatus) -> Void) {
        self.eventLoop = eventLoop
        machine = ElectionMachine(settings: settings)
        // A TLS file that cannot be read leaves the driver without a client:
        // every request fails, and the node stays a candidate without the VIP.
        client = try? EtcdGatewayClient(eventLoop: eventLoop, endpoints: endpoints, timeout: settings.requestTimeout)
        self.onOwnership = onOwnership
        self.onStatus = onStatus
        client?.onEndpointFailed = { [unowned self] index in
            // A frozen member's watch would go silent: restart watches there.
            for (id, w) in watches where w.endpoint == index {
                w.exchange.cancel()
                watches[id] = nil
                feed(.watchEnded(id))
            }
        }
    }

    public func start() {
        eventLoop.execute { [self] in perform(machine.start(now: now())) }
    }

    public func resign() { eventLoop.execute { [self] in feed(.resign) } }

    public func ownershipAnnounced() { eventLoop.execute { [self] in feed(.ownershipAnnounced) } }

    /// Hands over (bounded by the handover cap, or by the fence deadline if
    /// etcd is unreachable), revokes the lease, and completes. A last bound
    /// of TTL + 1 s guards the daemon's shutdown against anything else.
    public func stop() -> EventLoopFuture<Void> {
        eventLoop.flatSubmit { [self] in
            if machine.isStopped { return eventLoop.makeSucceededVoidFuture() }
            let promise = stopPromise ?? eventLoop.makePromise()
            stopPromise = promise
            feed(.stop)
            eventLoop.scheduleTask(in: .seconds(Int64(machine.settings.leaseTTL) + 1)) { [self] in
                guard let p = stopPromise else { return }
                stopPromise = nil
                if machine.ownsVIP { onOwnership(false) }
                p.succeed()
            }
            return promise.futureResult
        }
    }

    /// Call on `eventLoop`.
    public var status: ElectionStatus {
        let n = now()
        return ElectionStatus(name: machine.settings.name, leader: machine.leader, role: machine.role,
                              leaseTTL: machine.settings.leaseTTL,
                              leaseRemainingSeconds: machine.leaseRemaining(now: n).map { Double($0.nanoseconds) / 1e9 },
                              ownsVIP: machine.ownsVIP, lastAckedKeepAliveSend: machine.lastAckedSend)
    }

    func now() -> Instant { Instant(nanoseconds: Int64(NIODeadline.now().uptimeNanoseconds)) }

    private func feed(_ input: ElectionInput) {
        perform(machine.handle(input, now: now()))
    }

    private func perform(_ actions: [ElectionAction]) {
        for action in actions {
            switch action {
            case .takeVIP:
                onOwnership(true)
            case .releaseVIP(let reason):
                lastRelease = reason
                onOwnership(false)
            case .setTimer(let at):
                timer?.cancel()
                timer = eventLoop.scheduleTask(deadline: .uptimeNanoseconds(UInt64(max(0, at.nanoseconds)))) { [self] in
                    timer = nil
                    feed(.timerFired)
                }
            case .send(let id, let request):
                guard let client else {
                    eventLoop.execute { [self] in feed(.failed(id)) }
                    continue
                }
                client.send(request).whenComplete { [self] result in
                    switch result {
                    case .success(let response): feed(.response(id, response))
                    case .failure: feed(.failed(id))
                    }
                }
            case .openWatch(let id, let request):
                guard let client else {
                    eventLoop.execute { [self] in feed(.watchEnded(id)) }
                    continue
                }
                watches[id] = client.watch(request, onMessage: { [self] message in
                    if case .events(let events) = message, watches[id] != nil { feed(.watchEvents(id, events)) }
                }, onEnd: { [self] in
                    guard watches.removeValue(forKey: id) != nil else { return }
                    feed(.watchEnded(id))
                })
            case .closeWatch(let id):
                watches.removeValue(forKey: id)?.exchange.cancel()
            case .stopped:
                timer?.cancel()
                timer = nil
                for w in watches.values { w.exchange.cancel() }
                watches = [:]
                stopPromise?.succeed()
                stopPromise = nil
            }
        }
        publish()
    }

    /// Tells the daemon when the role, the leader or the ownership changed.
    private func publish() {
        var s = status
        s.leaseRemainingSeconds = nil
        s.lastAckedKeepAliveSend = nil
        guard s != lastPublished else { return }
        lastPublished = s
        onStatus(status)
    }
}
