import BGPSession
@testable import Election

/// Drives one machine with a manual clock and records what it asks for.
struct Harness {
    var machine: ElectionMachine
    var now = Instant.zero
    var sent: [(id: RequestID, request: EtcdRequest, at: Instant)] = []
    var watches: [WatchID: EtcdWatchRequest] = [:]
    var owns = false
    var takes: [Instant] = []
    var releases: [(at: Instant, reason: ReleaseReason)] = []
    var timer: Instant?
    var stopped = false

    init(ttl: Int = 5, node: String = "node1", margin: Duration? = nil) {
        machine = ElectionMachine(settings: ElectionSettings(name: "vip", nodeName: node, leaseTTL: ttl, fenceMargin: margin))
    }

    mutating func start() { record(machine.start(now: now)) }

    mutating func feed(_ input: ElectionInput) { record(machine.handle(input, now: now)) }

    mutating func record(_ actions: [ElectionAction]) {
        for action in actions {
            switch action {
            case .takeVIP:
                precondition(!owns, "took the VIP twice")
                owns = true
                takes.append(now)
            case .releaseVIP(let reason):
                precondition(owns, "released a VIP it did not own")
                owns = false
                releases.append((now, reason))
            case .setTimer(let t): timer = t
            case .send(let id, let request): sent.append((id, request, now))
            case .openWatch(let id, let w): watches[id] = w
            case .closeWatch(let id): watches[id] = nil
            case .stopped: stopped = true
            }
        }
    }

    /// Fires the armed timer (moving the clock to it) if it is due by `t`;
    /// repeats until the clock reaches `t`.
    mutating func run(until t: Instant, each: (inout Harness) -> Void = { _ in }) {
        while let due = timer, due <= t {
            now = max(now, due)
            timer = nil
            feed(.timerFired)
            each(&self)
        }
        now = max(now, t)
    }

    /// The latest request of a kind not yet answered.
    func last(_ match: (EtcdRequest) -> Bool) -> (id: RequestID, request: EtcdRequest, at: Instant)? {
        sent.last { match($0.request) }
    }

    var watchID: WatchID? { watches.keys.max { $0.raw < $1.raw } }

    /// grant → create → range, answered at once; `others` are rival keys.
    mutating func bringUp(lease: Int64 = 0x10, myRevision: Int64 = 10, others: [EtcdKeyValue] = []) {
        start()
        let g = last { if case .grant = $0 { true } else { false } }!
        feed(.response(g.id, .granted(lease: lease, ttl: machine.settings.leaseTTL)))
        let c = last { if case .createKey = $0 { true } else { false } }!
        feed(.response(c.id, .txn(succeeded: true, revision: myRevision)))
        let r = last { if case .range = $0 { true } else { false } }!
        let mine = EtcdKeyValue(key: "vip/\(String(lease, radix: 16))", value: machine.settings.nodeName,
                                createRevision: myRevision, modRevision: myRevision, lease: lease)
        feed(.response(r.id, .range(others + [mine], revision: myRevision + 5)))
    }

    /// Answers every keep-alive sent at `now` at once.
    mutating func ackKeepAlives(ttl: Int? = nil) {
        let ttl = ttl ?? machine.settings.leaseTTL
        for s in sent where s.at == now {
            if case .keepAlive = s.request { feed(.response(s.id, .keptAlive(ttl: ttl))) }
        }
    }
}

func kv(_ key: String, _ value: String, rev: Int64, lease: Int64 = 99) -> EtcdKeyValue {
    EtcdKeyValue(key: key, value: value, createRevision: rev, modRevision: rev, lease: lease)
}

extension Instant {
    static func ms(_ v: Int64) -> Instant { Instant(nanoseconds: v * 1_000_000) }
}

extension Instant {
    static func - (a: Instant, d: Duration) -> Instant { a + (.zero - d) }
}
