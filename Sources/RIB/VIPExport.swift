import BGPCodec
import BGPSession

/// One VIP as a route we originate.
public struct VIPRoute: Hashable, Sendable {
    public var prefix: RoutePrefix
    public var communities: [UInt32]
    public var largeCommunities: [LargeCommunity]
    public var med: UInt32?
    /// Sent to internal peers only (RFC 4271 §5.1.5).
    public var localPref: UInt32?
    /// Extra copies of our AS on eBGP sessions.
    public var asPathPrepend: Int

    public init(prefix: RoutePrefix, communities: [UInt32] = [], largeCommunities: [LargeCommunity] = [],
                med: UInt32? = nil, localPref: UInt32? = nil, asPathPrepend: Int = 0) {
        self.prefix = prefix
        self.communities = communities
        self.largeCommunities = largeCommunities
        self.med = med
        self.localPref = localPref
        self.asPathPrepend = asPathPrepend
    }

    public var family: AddressFamily {
        if case .ipv4 = prefix { return .ipv4Unicast }
        return .ipv6Unicast
    }
}

/// What the export side needs to know of one established session.
public struct ExportSession: Sendable {
    public var localAS: UInt32
    public var peerAS: UInt32
    public var negotiated: NegotiatedSession
    /// Next hop self: our address on the session, per family.
    public var nextHopIPv4: IPv4Address?
    public var nextHopIPv6: IPv6Address?
    public var nextHopIPv6LinkLocal: IPv6Address?

    public init(localAS: UInt32, peerAS: UInt32, negotiated: NegotiatedSession, nextHopIPv4: IPv4Address?,
                nextHopIPv6: IPv6Address?, nextHopIPv6LinkLocal: IPv6Address? = nil) {
        self.localAS = localAS
        self.peerAS = peerAS
        self.negotiated = negotiated
        self.nextHopIPv4 = nextHopIPv4
        self.nextHopIPv6 = nextHopIPv6
        self.nextHopIPv6LinkLocal = nextHopIPv6LinkLocal
    }

    var isInternal: Bool { localAS == peerAS }
}

/// Builds the UPDATEs that announce or withdraw our VIPs to one peer:
/// ORIGIN IGP, our AS (prepended as asked) toward eBGP peers, an empty
/// AS_PATH and LOCAL_PREF toward iBGP peers, next hop self, as many VIPs per
/// UPDATE as share their attributes and fit.
public enum VIPExport {
    /// The path attributes of a VIP toward this session, without next hop
    /// or NLRI. A 2-octet peer gets AS_TRANS and AS4_PATH (RFC 6793).
    public static func attributes(_ r: VIPRoute, session s: ExportSession) -> PathAttributes {
        var a = PathAttributes(origin: .igp)
        if s.isInternal {
            a.asPath = []
            a.localPref = r.localPref ?? 100
        } else {
            a.asPath = [ASPathSegment(.sequence, [UInt32](repeating: s.localAS, count: 1 + max(0, r.asPathPrepend)))]
        }
        a.med = r.med
        if !r.communities.isEmpty { a.communities = r.communities }
        if !r.largeCommunities.isEmpty { a.largeCommunities = r.largeCommunities }
        return s.negotiated.fourOctetAS ? a : a.forTwoOctetPeer()
    }

    /// VIPs of families the session did not negotiate, or without a next hop
    /// of their family, are left out.
    public static func announce(_ routes: [VIPRoute], session s: ExportSession) -> [[UInt8]] {
        let ctx = s.negotiated.sendContext
        var groups: [PathAttributes: [VIPRoute]] = [:]
        var order: [PathAttributes] = []
        for r in routes where s.negotiated.families.contains(r.family) {
            let a = attributes(r, session: s)
            if groups[a] == nil { order.append(a) }
            groups[a, default: []].append(r)
        }
        var out: [[UInt8]] = []
        for a in order {
            let rs = groups[a]!
            let v4 = rs.compactMap { if case .ipv4(let p) = $0.prefix { p } else { nil } }
            let v6 = rs.compactMap { if case .ipv6(let p) = $0.prefix { p } else { nil } }
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

    public static func withdraw(_ prefixes: [RoutePrefix], session s: ExportSession) -> [[UInt8]] {
        let ctx = s.negotiated.sendContext
        let v4 = prefixes.compactMap { if case .ipv4(let p) = $0 { p } else { nil } }
        let v6 = prefixes.compactMap { if case .ipv6(let p) = $0 { p } else { nil } }
        var out: [[UInt8]] = []
        if !v4.isEmpty && s.negotiated.families.contains(.ipv4Unicast) { out += UpdatePacker.withdraw(v4, context: ctx) }
        if !v6.isEmpty && s.negotiated.families.contains(.ipv6Unicast) { out += UpdatePacker.withdraw(v6, context: ctx) }
        return out
    }
}
