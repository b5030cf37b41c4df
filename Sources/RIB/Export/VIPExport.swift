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

extension VIPRoute {
    /// The route as the Loc-RIB keeps it (peer 0): ORIGIN IGP, the
    /// prepends as copies of our AS (eBGP export adds one more), MED,
    /// LOCAL_PREF and communities. The next hop is "self" on export.
    public func originated(localAS: UInt32) -> PathAttributes {
        var a = PathAttributes(origin: .igp)
        a.asPath = asPathPrepend > 0 ? [ASPathSegment(.sequence, [UInt32](repeating: localAS, count: asPathPrepend))] : []
        a.med = med
        a.localPref = localPref
        if !communities.isEmpty { a.communities = communities }
        if !largeCommunities.isEmpty { a.largeCommunities = largeCommunities }
        return a
    }
}

/// The UPDATEs that announce or withdraw VIPs alone to one peer, through
/// the same export rules as the Loc-RIB's routes (for tests and tools).
public enum VIPExport {
    public static func announce(_ routes: [VIPRoute], session s: ExportSession) -> [[UInt8]] {
        let list: [(RoutePrefix, PathAttributes)] = routes.compactMap { r in
            guard ExportRules.canAnnounce(r.prefix, s) else { return nil }
            let stored = StoredAttributes(attributes: r.originated(localAS: s.localAS), nextHop: .opaque([]))
            guard let a = ExportRules.exported(r.prefix, path: Path(attributes: 0, peer: 0), stored: stored, pathPeer: .local,
                                               toPeer: UInt16.max, session: s, policy: .vips) else { return nil }
            return (r.prefix, a)
        }
        return ExportRules.encode(announce: list, withdraw: [], session: s)
    }

    public static func withdraw(_ prefixes: [RoutePrefix], session s: ExportSession) -> [[UInt8]] {
        ExportRules.encode(announce: [], withdraw: prefixes, session: s)
    }
}
