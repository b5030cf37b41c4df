import BGPCodec

/// One entry of `peers`: the session keys of issue 3 §4 plus the routing
/// keys of interfaces.md. A peer is identified by its address.
public struct PeerConfig: Hashable, Sendable {
    /// `address` (required): IPv4 or IPv6, not link-local.
    public var address: IPAddress
    /// `asn` (required): 1-4294967295, never 23456 (AS_TRANS).
    public var asn: UInt32
    /// `port`. Default 179.
    public var port: UInt16 = 179
    /// `passive`: never connect out, only accept (needs `listen`). Default false.
    public var passive = false
    /// `password`: the TCP MD5 key (RFC 2385), 1-80 bytes. Default none.
    public var password: String?
    /// `ttl_security`: GTSM (RFC 5082): send with TTL 255 and accept only
    /// packets that arrive with TTL >= 256 - multihop. Default false.
    public var ttlSecurity = false
    /// `multihop`: the TTL of our packets (with `ttl_security`, the hop
    /// radius), 1-255. Default 1 for eBGP and 255 for iBGP, as FRR does;
    /// 1 with `ttl_security` (directly connected), eBGP or iBGP.
    public var multihop: UInt8 = 1
    /// `hold_time`: seconds we propose; 0 (no keepalives) or 3-65535.
    /// Default 90.
    public var holdTime: UInt16 = 90
    /// `keepalive`: seconds between KEEPALIVEs, below the hold time.
    /// Default hold_time / 3 (rounded down); 0 when hold_time is 0.
    public var keepalive: UInt16 = 30
    /// `families`: what we offer. Default the peer address's own family
    /// (ipv4-unicast for an IPv4 peer, ipv6-unicast for an IPv6 one).
    public var families: [AddressFamily] = [.ipv4Unicast]
    public var gracefulRestart = GracefulRestart()
    /// `source_address`: the local address of the session, of the peer's
    /// family. Default none (the kernel chooses).
    public var sourceAddress: IPAddress?
    /// `import`. Default accept-all: learned routes go to the Loc-RIB, and
    /// since `export` defaults to `vips` they are never passed on.
    public var importPolicy: ImportPolicy = .acceptAll
    /// `export`. Default vips.
    public var exportPolicy: ExportPolicy = .vips
    /// `max_prefix`. Default none (no limit).
    public var maxPrefix: MaxPrefix?
    /// `mrai`: seconds between UPDATEs for the same prefix, 0-65535.
    /// Default 0, as data-centre eBGP does.
    public var mrai: UInt16 = 0

    /// A peer with the defaults above for an eBGP session (multihop 1) and
    /// `families` set from the address.
    public init(address: IPAddress, asn: UInt32) {
        self.address = address
        self.asn = asn
        families = [address.unicastFamily]
    }
}

/// `graceful_restart` (RFC 4724) as a peer's config has it.
public struct GracefulRestart: Hashable, Sendable {
    /// `enabled`: offer the capability as a restarting speaker. Default
    /// false: a crashed vipd would otherwise leave its VIP routes stale at
    /// the peer, pointing at a dead node, for `restart_time`.
    public var enabled = false
    /// `restart_time`: seconds, 0-4095 (12 bits). Default 120.
    public var restartTime: UInt16 = 120
    public init(enabled: Bool = false, restartTime: UInt16 = 120) {
        self.enabled = enabled
        self.restartTime = restartTime
    }
}

/// A peer's `import`.
public enum ImportPolicy: Hashable, Sendable, CustomStringConvertible {
    case acceptAll
    case acceptNone
    case policy(String)

    public var description: String {
        switch self {
        case .acceptAll: return "accept-all"
        case .acceptNone: return "accept-none"
        case .policy(let n): return n
        }
    }

    var policyName: String? {
        if case .policy(let n) = self { return n }
        return nil
    }
}

/// A peer's `export`.
public enum ExportPolicy: Hashable, Sendable, CustomStringConvertible {
    /// Only our VIPs.
    case vips
    /// Our VIPs and every best route we learned.
    case all
    case policy(String)

    public var description: String {
        switch self {
        case .vips: return "vips"
        case .all: return "all"
        case .policy(let n): return n
        }
    }

    var policyName: String? {
        if case .policy(let n) = self { return n }
        return nil
    }
}

/// A peer's `max_prefix`.
public struct MaxPrefix: Hashable, Sendable {
    /// `limit` (required): 1-4294967295 prefixes.
    public var limit: UInt32
    /// `warning_percent`: log a warning at this share of the limit, 1-100.
    /// Default 80.
    public var warningPercent: UInt8 = 80
    /// `action`. Default teardown.
    public var action: Action = .teardown
    /// `restart_after`: seconds before a `restart` brings the session back,
    /// 1-65535. Default 60. Kept but unused with `teardown`.
    public var restartAfter: UInt32 = 60

    public enum Action: String, Hashable, Sendable, CaseIterable {
        /// Cease 6/1 and stay down until an operator resets the peer.
        case teardown
        /// Cease 6/1, then start again after `restart_after`.
        case restart
    }

    public init(limit: UInt32, warningPercent: UInt8 = 80, action: Action = .teardown, restartAfter: UInt32 = 60) {
        self.limit = limit
        self.warningPercent = warningPercent
        self.action = action
        self.restartAfter = restartAfter
    }
}
