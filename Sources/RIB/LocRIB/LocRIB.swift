import BGPCodec

/// What one change to the RIB did, for export, the FIB and the counters.
public struct RIBChanges: Sendable {
    /// Prefixes whose best path (or, with multipath, whose path set) changed.
    public var bestChanged: [RoutePrefix] = []
    /// RFC 4724 §2: End-of-RIB markers seen.
    public var endOfRIB: [AddressFamily] = []
    public init() {}
}

/// Per-peer route counts, per family.
public struct PeerRouteCounts: Sendable, Hashable {
    public init() {}
    public var received = [0, 0]
    public var accepted = [0, 0]
    public var total: Int { received[0] + received[1] }
    public var totalAccepted: Int { accepted[0] + accepted[1] }
    public func received(_ f: AddressFamily) -> Int { f == .ipv6Unicast ? received[1] : received[0] }
    public func accepted(_ f: AddressFamily) -> Int { f == .ipv6Unicast ? accepted[1] : accepted[0] }
}

/// One path as the control API shows it.
public struct RouteView: Sendable {
    public var prefix: RoutePrefix
    public var peer: UInt16
    public var path: Path
    public var attributes: StoredAttributes
    public var best: Bool
}

/// RFC 4271 §3.2: the Adj-RIBs-In of every peer and the Loc-RIB, in one
/// table keyed by prefix (as OpenBGPD's RDE and BIRD keep them): each
/// prefix holds every peer's path, import policy's verdict on it, and the
/// best path first. Attribute sets are interned in `store`. An UPDATE for
/// one prefix touches only that prefix. Pure: no I/O, no clock.
public struct LocRIB: Sendable {
    public let localAS: UInt32
    public var decision: Decision
    public internal(set) var store = AttributeStore()
    var v4 = FamilyTable<V4Key>()
    var v6 = FamilyTable<V6Key>()
    /// Index 0 is our own routes; a removed peer leaves a hole to reuse.
    public internal(set) var peers: [RIBPeer?] = [.local]
    var policies: [RoutePolicy] = [.acceptAll]
    public internal(set) var counts: [PeerRouteCounts] = [PeerRouteCounts()]
    /// RFC 4760 §7: families a malformed MP attribute disabled, per peer.
    var disabled: [Set<AddressFamily>] = [[]]
    /// Families in which a peer may still have stale paths (marked by
    /// `markStale`, not yet swept), so that End-of-RIB from a peer that
    /// did not restart costs nothing.
    var staleFamilies: [Set<AddressFamily>] = [[]]
    /// Collect `bestChanged`; off when nothing consumes it (no export of
    /// learned routes, no FIB), which saves a list per UPDATE.
    public var recordChanges = true

    public init(localAS: UInt32, decision: Decision = Decision()) {
        self.localAS = localAS
        self.decision = decision
    }

    // MARK: peers

    public mutating func addPeer(_ peer: RIBPeer, importPolicy: RoutePolicy = .acceptAll) -> UInt16 {
        if let hole = peers.indices.dropFirst().first(where: { peers[$0] == nil }) {
            peers[hole] = peer
            policies[hole] = importPolicy
            counts[hole] = PeerRouteCounts()
            disabled[hole] = []
            staleFamilies[hole] = []
            return UInt16(hole)
        }
        peers.append(peer)
        policies.append(importPolicy)
        counts.append(PeerRouteCounts())
        disabled.append([])
        staleFamilies.append([])
        return UInt16(peers.count - 1)
    }

    /// Withdraws the peer's routes and frees its index.
    public mutating func removePeer(_ peer: UInt16) -> RIBChanges {
        let c = clearPeer(peer)
        peers[Int(peer)] = nil
        return c
    }

    /// Withdraws every route of the peer (its session went down).
    public mutating func clearPeer(_ peer: UInt16, families: Set<AddressFamily>? = nil) -> RIBChanges {
        disabled[Int(peer)] = []
        if let families { staleFamilies[Int(peer)].subtract(families) } else { staleFamilies[Int(peer)] = [] }
        return rewritePeer(peer, families: families) { _, _, _, _ in nil }
    }

    public func counts(_ peer: UInt16) -> PeerRouteCounts { counts[Int(peer)] }

    /// The router id comes with the peer's OPEN; the peer's routes are
    /// gone by then (a session that ended cleared them or kept them stale),
    /// so no decision needs redoing for the ones it has not sent yet.
    public mutating func setRouterID(_ peer: UInt16, _ id: UInt32) {
        peers[Int(peer)]?.routerID = id
    }

    public mutating func setInternal(_ peer: UInt16, asn: UInt32) {
        peers[Int(peer)]?.asn = asn
        peers[Int(peer)]?.isInternal = asn == localAS
    }

    // MARK: UPDATEs

    /// Applies one decoded UPDATE (or its RFC 7606 outcome) from a peer.
    @discardableResult
    public mutating func apply(_ result: DecodeResult, from peer: UInt16) -> RIBChanges {
        var changes = RIBChanges()
        switch result {
        case .message(.update(let u)):
            if let f = u.endOfRIB {
                changes.endOfRIB.append(f)
                return changes
            }
            for p in u.withdrawn { withdraw(.ipv4(p), peer, &changes) }
            if let w = u.attributes.mpUnreach { withdraw(w.withdrawn, w.family, peer, &changes) }
            var shared = u.attributes
            shared.mpReach = nil
            shared.mpUnreach = nil
            if let nh = u.attributes.nextHop, !u.nlri.isEmpty {
                announce(u.nlri, shared, .ipv4(nh), peer, &changes)
            }
            if let r = u.attributes.mpReach, !disabled[Int(peer)].contains(r.family) {
                switch r.nlri {
                case .ipv4(let l) where r.family == .ipv4Unicast:
                    announce(l, shared, r.nextHop, peer, &changes)
                case .ipv6(let l) where r.family == .ipv6Unicast:
                    announce(l, shared, r.nextHop, peer, &changes)
                default: break  // a family we do not keep
                }
            }
        case .treatAsWithdraw(let u, _):
            // RFC 7606 §2: every NLRI of the UPDATE, of every kind, is withdrawn.
            for p in u.withdrawn + u.nlri { withdraw(.ipv4(p), peer, &changes) }
            if let r = u.attributes.mpReach { withdraw(r.nlri, r.family, peer, &changes) }
            if let w = u.attributes.mpUnreach { withdraw(w.withdrawn, w.family, peer, &changes) }
        case .afiSafiDisable(let family, _, _):
            let c = rewritePeer(peer, families: [family]) { _, _, _, _ in nil }
            changes.bestChanged += c.bestChanged
            disabled[Int(peer)].insert(family)
        case .message, .failure:
            break
        }
        return changes
    }

    /// Our own route (a VIP), as peer 0.
    /// Changes to our own routes are always recorded.
    public mutating func originate(_ prefix: RoutePrefix, attributes: PathAttributes, nextHop: NextHop) -> RIBChanges {
        var c = RIBChanges()
        switch prefix {
        case .ipv4(let p): announce([p], attributes, nextHop, 0, &c)
        case .ipv6(let p): announce([p], attributes, nextHop, 0, &c)
        }
        return c
    }

    public mutating func withdrawOriginated(_ prefix: RoutePrefix) -> RIBChanges {
        var c = RIBChanges()
        withdraw(prefix, 0, &c)
        return c
    }

    // MARK: graceful restart and policy

    /// RFC 4724 §4.2: the peer's session went down with graceful restart;
    /// its routes of these families stay, stale; the others go.
    public mutating func markStale(_ peer: UInt16, keeping families: Set<AddressFamily>) -> RIBChanges {
        staleFamilies[Int(peer)] = families
        return rewritePeer(peer, families: nil) { family, _, p, _ in
            guard families.contains(family) else { return nil }
            var s = p
            s.flags |= Path.stale
            return s
        }
    }

    /// Removes what is still stale: after End-of-RIB, or when the restart
    /// or stale timer runs out (`family` nil: every family).
    public mutating func sweepStale(_ peer: UInt16, family: AddressFamily? = nil) -> RIBChanges {
        let families = family.map { staleFamilies[Int(peer)].intersection([$0]) } ?? staleFamilies[Int(peer)]
        guard !families.isEmpty else { return RIBChanges() }
        staleFamilies[Int(peer)].subtract(families)
        return rewritePeer(peer, families: families) { _, _, p, _ in p.isStale ? nil : p }
    }

    public func staleCount(_ peer: UInt16) -> Int {
        let families = staleFamilies[Int(peer)]
        var n = 0
        if families.contains(.ipv4Unicast) { n += v4.count { $0.peer == peer && $0.isStale } }
        if families.contains(.ipv6Unicast) { n += v6.count { $0.peer == peer && $0.isStale } }
        return n
    }

    /// A new import policy: every path of the peer is evaluated again from
    /// what the peer sent (denied routes were kept), without a route refresh.
    public mutating func setImportPolicy(_ peer: UInt16, _ policy: RoutePolicy) -> RIBChanges {
        policies[Int(peer)] = policy
        return rewritePeer(peer, families: nil) { _, prefix, p, store in
            let s = store[p.attributes]
            var cache: [Bool]? = nil
            let outcome = policy.evaluate(prefix, s.learned, cache: &cache)
            var q = p
            q.flags &= ~Path.denied
            let after: StoredAttributes
            if let changes = policy.changes(outcome) {
                after = StoredAttributes(attributes: changes.apply(to: s.learned), learned: s.learned, nextHop: s.nextHop)
            } else {
                q.flags |= Path.denied
                after = StoredAttributes(attributes: s.learned, nextHop: s.nextHop)
            }
            if after != s { q.attributes = store.intern(after) }
            return q
        }
    }

    // MARK: reading

    public var count: Int { v4.count + v6.count }
    public func count(_ family: AddressFamily) -> Int { family == .ipv6Unicast ? v6.count : v4.count }

    /// The paths of a prefix, best first.
    public func paths(_ prefix: RoutePrefix) -> [Path] {
        switch prefix {
        case .ipv4(let p): return v4.paths(V4Key(p))
        case .ipv6(let p): return v6.paths(V6Key(p))
        }
    }

    /// The best path, if any path is eligible.
    public func best(_ prefix: RoutePrefix) -> Path? {
        guard let first = paths(prefix).first, first.isEligible else { return nil }
        return first
    }

    /// The best path and those equal to it for multipath (ECMP), when
    /// multipath is on; otherwise the best alone.
    public func multipath(_ prefix: RoutePrefix) -> [Path] {
        let all = paths(prefix)
        guard let best = all.first, best.isEligible else { return [] }
        guard decision.options.multipath else { return [best] }
        let b = candidate(best)
        return [best] + all.dropFirst().filter { $0.isEligible && decision.compare(b, candidate($0)).step.isMultipathTie }
    }

    /// Every path, filtered, sorted by prefix then best first.
    public func routes(family: AddressFamily? = nil, peer: UInt16? = nil, prefix: RoutePrefix? = nil) -> [RouteView] {
        var out: [RouteView] = []
        func visit(_ rp: RoutePrefix, _ ps: [Path]) {
            for (i, p) in ps.enumerated() where peer == nil || p.peer == peer {
                out.append(RouteView(prefix: rp, peer: p.peer, path: p, attributes: store[p.attributes], best: i == 0 && p.isEligible))
            }
        }
        if let prefix {
            visit(prefix, paths(prefix))
            return out
        }
        if family == nil || family == .ipv4Unicast {
            var keys: [V4Key] = []
            v4.table.forEach { k, _ in keys.append(k) }
            for k in keys.sorted() { visit(.ipv4(k.prefix), v4.paths(k)) }
        }
        if family == nil || family == .ipv6Unicast {
            var keys: [V6Key] = []
            v6.table.forEach { k, _ in keys.append(k) }
            for k in keys.sorted() { visit(.ipv6(k.prefix), v6.paths(k)) }
        }
        return out
    }

    /// Bytes the tables' slots hold.
    public var tableBytes: Int { v4.table.slotBytes + v6.table.slotBytes }

    // MARK: internals

    func candidate(_ p: Path) -> Candidate {
        let s = store[p.attributes]
        return Candidate(attributes: s.attributes, nextHop: s.nextHop, peer: peers[Int(p.peer)] ?? .local, isLocal: p.peer == 0)
    }
}

extension RoutePrefix {
    public var family: AddressFamily {
        if case .ipv4 = self { return .ipv4Unicast }
        return .ipv6Unicast
    }
}
