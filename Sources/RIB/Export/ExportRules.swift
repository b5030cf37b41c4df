import BGPCodec
import BGPSession

/// A peer's `export`: which best routes it gets.
public enum RouteExport: Sendable {
    /// Only our VIPs (the default).
    case vips
    /// Our VIPs and every best route we learned.
    case all
    /// Our VIPs and learned routes, through rules (first match decides,
    /// no match rejects); an accepting rule may set MED, LOCAL_PREF (iBGP
    /// only) and add communities.
    case rules(RoutePolicy)
}

/// RFC 1997's well-known communities that limit where a route goes.
public enum WellKnownCommunity {
    public static let noExport: UInt32 = 0xFFFF_FF01
    public static let noAdvertise: UInt32 = 0xFFFF_FF02
    public static let noExportSubconfed: UInt32 = 0xFFFF_FF03
}

/// How a best route becomes the route one peer is sent (RFC 4271 §5.1,
/// §9.1.3, §9.2): next hop self; toward eBGP our AS prepended, no
/// LOCAL_PREF, and a learned MED not passed on (§5.1.4); toward iBGP
/// LOCAL_PREF (100 when unset) and no route learned over iBGP (we are no
/// route reflector); never back to the peer it came from.
public enum ExportRules {
    /// The attributes to send for a best path, or nil when the peer gets
    /// nothing for this prefix. `fromPeer` is the index of the path's peer
    /// (0 for our own routes), `toPeer` the receiving peer's.
    public static func exported(_ prefix: RoutePrefix, path: Path, stored: StoredAttributes, pathPeer: RIBPeer?,
                                toPeer: UInt16, session s: ExportSession, policy: RouteExport) -> PathAttributes? {
        let isLocal = path.peer == 0
        guard path.peer != toPeer else { return nil }
        guard s.negotiated.families.contains(prefix.family) else { return nil }
        var changes: PolicyChanges? = PolicyChanges()
        switch policy {
        case .vips:
            guard isLocal else { return nil }
        case .all:
            break
        case .rules(let p):
            if !isLocal {
                var cache: [Bool]? = nil
                changes = p.changes(p.evaluate(prefix, stored.attributes, cache: &cache))
            }
        }
        guard let changes else { return nil }
        if !isLocal, s.isInternal, pathPeer?.isInternal == true { return nil }
        // RFC 1997 well-known communities: NO_ADVERTISE goes to no peer;
        // NO_EXPORT and NO_EXPORT_SUBCONFED (no confederations here) stay
        // inside our AS.
        if let list = stored.attributes.communities {
            if list.contains(WellKnownCommunity.noAdvertise) { return nil }
            if !s.isInternal, list.contains(WellKnownCommunity.noExport) || list.contains(WellKnownCommunity.noExportSubconfed) { return nil }
        }
        var a = stored.attributes
        a.nextHop = nil
        a.mpReach = nil
        a.mpUnreach = nil
        a.originatorID = nil
        a.clusterList = nil
        if s.isInternal {
            // Our VIPs carry their prepends as copies of our AS, which an
            // iBGP peer would take for a loop.
            if isLocal { a.asPath = [] }
            a.localPref = changes.localPref ?? a.localPref ?? 100
        } else {
            var path = a.asPath ?? []
            if let first = path.first, first.kind == .sequence, first.asns.count < 255 {
                path[0].asns.insert(s.localAS, at: 0)
            } else {
                path.insert(ASPathSegment(.sequence, [s.localAS]), at: 0)
            }
            a.asPath = path
            a.localPref = nil
            if !isLocal { a.med = nil }
        }
        if let m = changes.med { a.med = m }
        if !changes.addCommunities.isEmpty {
            var list = a.communities ?? []
            for c in changes.addCommunities where !list.contains(c) { list.append(c) }
            a.communities = list
        }
        return s.negotiated.fourOctetAS ? a : a.forTwoOctetPeer()
    }

    /// Packs announcements (grouped by attributes) and withdrawals into
    /// UPDATEs for one session, next hop self.
    public static func encode(announce: [(RoutePrefix, PathAttributes)], withdraw: [RoutePrefix], session s: ExportSession) -> [[UInt8]] {
        let ctx = s.negotiated.sendContext
        var out: [[UInt8]] = []
        let w4 = withdraw.compactMap { if case .ipv4(let p) = $0 { p } else { nil } }
        let w6 = withdraw.compactMap { if case .ipv6(let p) = $0 { p } else { nil } }
        if !w4.isEmpty && s.negotiated.families.contains(.ipv4Unicast) { out += UpdatePacker.withdraw(w4, context: ctx) }
        if !w6.isEmpty && s.negotiated.families.contains(.ipv6Unicast) { out += UpdatePacker.withdraw(w6, context: ctx) }
        var groups: [PathAttributes: ([IPv4Prefix], [IPv6Prefix])] = [:]
        var order: [PathAttributes] = []
        for (p, a) in announce {
            if groups[a] == nil {
                order.append(a)
                groups[a] = ([], [])
            }
            switch p {
            case .ipv4(let x): groups[a]!.0.append(x)
            case .ipv6(let x): groups[a]!.1.append(x)
            }
        }
        for a in order {
            let (v4, v6) = groups[a]!
            if !v4.isEmpty, let nh = s.nextHopIPv4 {
                var attrs = a
                attrs.nextHop = nh
                out += UpdatePacker.announce(v4, attributes: attrs, context: ctx)
            }
            if !v6.isEmpty, let nh = s.nextHopIPv6 {
                out += UpdatePacker.announce(v6, nextHop: .ipv6(nh, linkLocal: s.nextHopIPv6LinkLocal), attributes: a, context: ctx)
            }
        }
        return out
    }

    /// Whether the session has a next hop to announce this family with.
    static func canAnnounce(_ p: RoutePrefix, _ s: ExportSession) -> Bool {
        switch p {
        case .ipv4: return s.nextHopIPv4 != nil
        case .ipv6: return s.nextHopIPv6 != nil
        }
    }
}
