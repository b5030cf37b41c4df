import BGPCodec
import BGPSession

/// RFC 4271 §3.2 Adj-RIB-Out of one established peer: what it was sent,
/// and the prefixes whose best route changed since. Changes are batched:
/// a flush packs every pending prefix that shares attributes into as few
/// UPDATEs as fit, and MinRouteAdvertisementIntervalTimer (§9.2.1.1) spaces
/// flushes `mrai` apart (0, the data-centre default, flushes at once).
/// Withdrawals are not held back by MRAI (RFC 4271 §9.2.1.1 allows it
/// for them; RFC 7606's era practice sends them at once).
public struct AdjRIBOut: Sendable {
    public var session: ExportSession
    /// This peer's index in the Loc-RIB.
    public let peer: UInt16
    public var policy: RouteExport
    public var mrai: Duration
    public private(set) var advertised: [RoutePrefix: PathAttributes] = [:]
    private var pending: [RoutePrefix] = []
    private var pendingSet: Set<RoutePrefix> = []
    private var lastFlush: Instant?

    public init(session: ExportSession, peer: UInt16, policy: RouteExport, mrai: Duration = .zero) {
        self.session = session
        self.peer = peer
        self.policy = policy
        self.mrai = mrai
    }

    public var pendingCount: Int { pending.count }

    public func count(_ family: AddressFamily) -> Int { advertised.keys.filter { $0.family == family }.count }

    /// Marks prefixes whose best route changed.
    public mutating func enqueue(_ prefixes: [RoutePrefix]) {
        for p in prefixes where pendingSet.insert(p).inserted { pending.append(p) }
    }

    /// The whole table again: at session start, after a policy change,
    /// or for a route refresh (`resend` forgets what was sent, so every
    /// route goes out again even if unchanged).
    public mutating func enqueueAll(_ rib: LocRIB, resend: Bool = false, family: AddressFamily? = nil) {
        if resend {
            for k in advertised.keys where family == nil || k.family == family { advertised[k] = nil }
        }
        var all: [RoutePrefix] = []
        switch policy {
        case .vips:
            all = rib.routes(family: family, peer: 0).map(\.prefix)
        case .all, .rules:
            all = rib.routes(family: family).filter(\.best).map(\.prefix)
        }
        all += advertised.keys.filter { family == nil || $0.family == family }
        enqueue(all)
    }

    /// When the next flush may happen; nil with nothing pending.
    public func due(now: Instant) -> Instant? {
        guard !pending.isEmpty else { return nil }
        guard let last = lastFlush, mrai > .zero else { return now }
        return max(now, last + mrai)
    }

    /// Sends what changed, if MRAI allows: the UPDATEs, in order.
    public mutating func flush(_ rib: LocRIB, now: Instant) -> [[UInt8]] {
        guard let when = due(now: now), when <= now else { return [] }
        var announce: [(RoutePrefix, PathAttributes)] = []
        var withdraw: [RoutePrefix] = []
        for p in pending {
            let want = desired(p, rib)
            let had = advertised[p]
            if want == had { continue }
            if let w = want {
                announce.append((p, w))
                advertised[p] = w
            } else {
                withdraw.append(p)
                advertised[p] = nil
            }
        }
        pending = []
        pendingSet = []
        if !announce.isEmpty { lastFlush = now }
        return ExportRules.encode(announce: announce, withdraw: withdraw, session: session)
    }

    /// Withdraws everything that was sent (SIGTERM), returning the UPDATEs.
    public mutating func withdrawAll() -> [[UInt8]] {
        let all = Array(advertised.keys)
        advertised = [:]
        pending = []
        pendingSet = []
        return ExportRules.encode(announce: [], withdraw: all, session: session)
    }

    /// What this peer should have for a prefix now.
    func desired(_ p: RoutePrefix, _ rib: LocRIB) -> PathAttributes? {
        guard ExportRules.canAnnounce(p, session), let best = rib.best(p) else { return nil }
        return ExportRules.exported(p, path: best, stored: rib.store[best.attributes], pathPeer: rib.peers[Int(best.peer)],
                                    toPeer: peer, session: session, policy: policy)
    }
}
