import BGPCodec

/// A route's prefix in any decoded family, path id included (RFC 7911).
public enum RoutePrefix: Hashable, Sendable, CustomStringConvertible {
    case ipv4(IPv4Prefix)
    case ipv6(IPv6Prefix)

    public var description: String {
        switch self {
        case .ipv4(let p): return p.description
        case .ipv6(let p): return p.description
        }
    }
}

/// One route learned from a peer.
public struct LearnedRoute: Hashable, Sendable {
    /// The path attributes, without MP_REACH/MP_UNREACH (the next hop is
    /// kept apart). Routes of one UPDATE share one attribute box.
    public var attributes: PathAttributes
    public var nextHop: NextHop
    /// RFC 4724 §4.2: kept across the peer's restart, until refreshed or swept.
    public var stale: Bool
}

/// What an UPDATE changed, for the decision process and the counters.
public struct AdjRIBChanges: Sendable {
    public var announced: [(AddressFamily, RoutePrefix)] = []
    public var withdrawn: [(AddressFamily, RoutePrefix)] = []
    /// RFC 4724 §2: End-of-RIB markers seen, by family.
    public var endOfRIB: [AddressFamily] = []
}

/// RFC 4271 §3.2 Adj-RIB-In of one peer: what it announced, unprocessed by
/// policy. It applies decode results as RFC 7606 says (treat-as-withdraw,
/// AFI/SAFI disable) and keeps stale routes for graceful restart.
public struct AdjRIBIn: Sendable {
    public private(set) var routes: [AddressFamily: [RoutePrefix: LearnedRoute]] = [:]
    /// RFC 4760 §7: families disabled by a malformed MP attribute; their
    /// routes are ignored until the session restarts (a new Adj-RIB-In).
    public private(set) var disabledFamilies: Set<AddressFamily> = []

    public init() {}

    public var count: Int { routes.values.reduce(0) { $0 + $1.count } }

    public func count(_ family: AddressFamily) -> Int { routes[family]?.count ?? 0 }

    public func route(_ family: AddressFamily, _ prefix: RoutePrefix) -> LearnedRoute? { routes[family]?[prefix] }

    /// Applies one decoded UPDATE (or its RFC 7606 outcome).
    @discardableResult
    public mutating func apply(_ result: DecodeResult) -> AdjRIBChanges {
        var changes = AdjRIBChanges()
        switch result {
        case .message(.update(let u)):
            if let f = u.endOfRIB {
                changes.endOfRIB.append(f)
                return changes
            }
            for p in u.withdrawn { remove(.ipv4Unicast, .ipv4(p), &changes) }
            if let w = u.attributes.mpUnreach { remove(w.family, w.withdrawn, &changes) }
            var shared = u.attributes
            shared.mpReach = nil
            shared.mpUnreach = nil
            if let nh = u.attributes.nextHop, !u.nlri.isEmpty {
                for p in u.nlri { add(.ipv4Unicast, .ipv4(p), LearnedRoute(attributes: shared, nextHop: .ipv4(nh), stale: false), &changes) }
            }
            if let r = u.attributes.mpReach {
                let route = LearnedRoute(attributes: shared, nextHop: r.nextHop, stale: false)
                switch r.nlri {
                case .ipv4(let list): for p in list { add(r.family, .ipv4(p), route, &changes) }
                case .ipv6(let list): for p in list { add(r.family, .ipv6(p), route, &changes) }
                case .opaque: break  // a family we do not keep
                }
            }
        case .treatAsWithdraw(let u, _):
            // RFC 7606 §2: every NLRI of the UPDATE, of every kind, is withdrawn.
            for p in u.withdrawn + u.nlri { remove(.ipv4Unicast, .ipv4(p), &changes) }
            if let r = u.attributes.mpReach { remove(r.family, r.nlri, &changes) }
            if let w = u.attributes.mpUnreach { remove(w.family, w.withdrawn, &changes) }
        case .afiSafiDisable(let family, _, _):
            disabledFamilies.insert(family)
            changes.withdrawn += removeAll(family)
        case .message, .failure:
            break
        }
        return changes
    }

    /// RFC 4724 §4.2: the session went down with graceful restart; keep the
    /// routes of these families as stale, drop the others.
    public mutating func markStale(keeping families: Set<AddressFamily>) -> [(AddressFamily, RoutePrefix)] {
        var dropped: [(AddressFamily, RoutePrefix)] = []
        for family in Array(routes.keys) {
            if families.contains(family) {
                for k in Array(routes[family]!.keys) { routes[family]![k]!.stale = true }
            } else {
                dropped += removeAll(family)
            }
        }
        return dropped
    }

    /// Removes what is still stale in a family: after its End-of-RIB, or
    /// when the restart or stale timer runs out.
    public mutating func sweepStale(_ family: AddressFamily) -> [(AddressFamily, RoutePrefix)] {
        guard let table = routes[family] else { return [] }
        let gone = table.filter { $0.value.stale }.map { (family, $0.key) }
        for (_, k) in gone { routes[family]![k] = nil }
        if routes[family]?.isEmpty == true { routes[family] = nil }
        return gone
    }

    public var staleCount: Int { routes.values.reduce(0) { $0 + $1.values.filter(\.stale).count } }

    @discardableResult
    public mutating func removeAll(_ family: AddressFamily) -> [(AddressFamily, RoutePrefix)] {
        let gone = (routes[family] ?? [:]).keys.map { (family, $0) }
        routes[family] = nil
        return gone
    }

    private mutating func add(_ f: AddressFamily, _ p: RoutePrefix, _ r: LearnedRoute, _ c: inout AdjRIBChanges) {
        guard !disabledFamilies.contains(f) else { return }
        routes[f, default: [:]][p] = r
        c.announced.append((f, p))
    }

    private mutating func remove(_ f: AddressFamily, _ p: RoutePrefix, _ c: inout AdjRIBChanges) {
        if routes[f]?.removeValue(forKey: p) != nil { c.withdrawn.append((f, p)) }
        if routes[f]?.isEmpty == true { routes[f] = nil }
    }

    private mutating func remove(_ f: AddressFamily, _ list: MPPrefixes, _ c: inout AdjRIBChanges) {
        switch list {
        case .ipv4(let l): for p in l { remove(f, .ipv4(p), &c) }
        case .ipv6(let l): for p in l { remove(f, .ipv6(p), &c) }
        case .opaque: break
        }
    }
}
