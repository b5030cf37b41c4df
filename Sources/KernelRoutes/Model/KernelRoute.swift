/// rtm_type: what the kernel does with a matching packet.
public struct RouteType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let unicast = RouteType(rawValue: 1)      // RTN_UNICAST: forward
    public static let local = RouteType(rawValue: 2)        // RTN_LOCAL: deliver to this host
    public static let blackhole = RouteType(rawValue: 6)    // RTN_BLACKHOLE: drop silently
    public static let unreachable = RouteType(rawValue: 7)  // RTN_UNREACHABLE: ICMP unreachable
    public static let prohibit = RouteType(rawValue: 8)     // RTN_PROHIBIT: ICMP prohibited

    /// The word `ip route` prints for the type.
    public var description: String {
        switch rawValue {
        case 1: return "unicast"
        case 2: return "local"
        case 3: return "broadcast"
        case 5: return "multicast"
        case 6: return "blackhole"
        case 7: return "unreachable"
        case 8: return "prohibit"
        case 9: return "throw"
        default: return "type \(rawValue)"
        }
    }
}

/// rtm_scope / ifa_scope: how far a route or address reaches.
public struct RouteScope: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let universe = RouteScope(rawValue: 0)   // RT_SCOPE_UNIVERSE, "global"
    public static let site = RouteScope(rawValue: 200)
    public static let link = RouteScope(rawValue: 253)
    public static let host = RouteScope(rawValue: 254)
    public static let nowhere = RouteScope(rawValue: 255)

    public var description: String {
        switch rawValue {
        case 0: return "global"
        case 200: return "site"
        case 253: return "link"
        case 254: return "host"
        case 255: return "nowhere"
        default: return "\(rawValue)"
        }
    }
}

/// One next hop: a gateway, an interface, or both. "Dev only" (no gateway)
/// is how a VIP route points at `lo`.
public struct NextHop: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let gateway: KernelAddress?
    /// The interface index (ifindex); nil lets the kernel pick it from the
    /// gateway (it then reports the one it chose).
    public let interfaceIndex: UInt32?

    public init(gateway: KernelAddress? = nil, interfaceIndex: UInt32? = nil) {
        self.gateway = gateway
        self.interfaceIndex = interfaceIndex
    }

    public static func device(_ index: UInt32) -> NextHop { NextHop(interfaceIndex: index) }
    public static func via(_ gateway: KernelAddress, device index: UInt32? = nil) -> NextHop {
        NextHop(gateway: gateway, interfaceIndex: index)
    }

    /// True when the kernel's `reported` next hop is what this one asked
    /// for: the same gateway, and the same interface unless none was asked.
    public func isSatisfied(by reported: NextHop) -> Bool {
        gateway == reported.gateway && (interfaceIndex == nil || interfaceIndex == reported.interfaceIndex)
    }

    /// `via GW dev ifN`, with iproute2's "ifN" for an interface whose name
    /// this module does not look up.
    public var description: String {
        var words: [String] = []
        if let gateway { words.append("via \(gateway)") }
        if let interfaceIndex { words.append("dev if\(interfaceIndex)") }
        return words.joined(separator: " ")
    }

    public static func < (a: NextHop, b: NextHop) -> Bool {
        switch (a.gateway, b.gateway) {
        case let (x?, y?) where x != y: return x < y
        case (nil, _?): return true
        case (_?, nil): return false
        default: return (a.interfaceIndex ?? 0) < (b.interfaceIndex ?? 0)
        }
    }
}

/// A kernel route as vipd writes and reads it: free of libnl, so the daemon
/// and its tests can use it. Next hops are kept sorted, so two routes with
/// the same ECMP set in another order are equal.
public struct KernelRoute: Hashable, Sendable, CustomStringConvertible {
    public let destination: KernelPrefix
    public let table: UInt32
    /// rtm_protocol: who owns the route (248 for table-mode VIPs, 186 for
    /// vipd's FIB install; 2 kernel, 3 boot, 4 static).
    public let proto: UInt8
    /// RTA_PRIORITY. For IPv6 the kernel stores 0 as 1024.
    public let metric: UInt32
    public let type: RouteType
    public let scope: RouteScope
    /// Empty for blackhole, unreachable and prohibit routes; one for a
    /// plain route; several for ECMP (RTA_MULTIPATH).
    public let nextHops: [NextHop]

    /// `scope` defaults as kube-vip chooses it: global for unicast (a
    /// dev-only route too: libnl would otherwise guess "link"), host for a
    /// local route.
    public init(destination: KernelPrefix, table: UInt32, proto: UInt8, metric: UInt32 = 0,
                type: RouteType = .unicast, scope: RouteScope? = nil, nextHops: [NextHop]) {
        self.destination = destination
        self.table = table
        self.proto = proto
        self.metric = metric
        self.type = type
        self.scope = scope ?? (type == .local ? .host : .universe)
        self.nextHops = nextHops.sorted()
    }

    /// Routing-table mode: the VIP's /32 or /128, unicast, scope global,
    /// dev-only through `interfaceIndex` (kube-vip uses its `vip_interface`,
    /// `lo` in its documentation), no gateway, no metric. See
    /// docs/kernel-routes.md for the kube-vip source this matches.
    public static func tableModeVIP(_ vip: KernelAddress, interfaceIndex: UInt32,
                                    table: UInt32 = 198, proto: UInt8 = 248) -> KernelRoute {
        KernelRoute(destination: .host(vip), table: table, proto: proto,
                    type: .unicast, scope: .universe, nextHops: [.device(interfaceIndex)])
    }

    public var family: AddressFamily { destination.family }

    /// The route as the kernel will report it back: IPv6 stores metric 0
    /// as 1024 (IP6_RT_PRIO_USER) and reports every IPv6 route with scope
    /// global. Comparing against this avoids rewriting a route forever.
    public var normalizedForKernel: KernelRoute {
        guard family == .ipv6 else { return self }
        return KernelRoute(destination: destination, table: table, proto: proto,
                           metric: metric == 0 ? 1024 : metric, type: type, scope: .universe,
                           nextHops: nextHops)
    }

    /// What identifies a route in a kernel table: replacing a route with the
    /// same key overwrites it (whatever its protocol), deleting needs it.
    public struct Key: Hashable, Sendable, Comparable, CustomStringConvertible {
        public let destination: KernelPrefix
        public let table: UInt32
        public let metric: UInt32
        public var description: String { "\(destination) table \(table) metric \(metric)" }
        public static func < (a: Key, b: Key) -> Bool {
            (a.destination, a.table, a.metric) < (b.destination, b.table, b.metric)
        }
    }

    /// The key, with the kernel's IPv6 metric normalization applied.
    public var key: Key {
        let n = normalizedForKernel
        return Key(destination: n.destination, table: n.table, metric: n.metric)
    }

    /// True when `reported` (read back from the kernel) is this route: the
    /// same key, protocol, type and scope, and each next hop satisfied
    /// exactly once (ECMP sets compared as sets).
    public func isSatisfied(by reported: KernelRoute) -> Bool {
        let want = normalizedForKernel
        let have = reported.normalizedForKernel
        guard want.key == have.key, want.proto == have.proto, want.type == have.type,
              want.scope == have.scope else { return false }
        // Routes without next hops (blackhole and the like): the kernel may
        // report an interface (IPv6 says lo); nothing was asked.
        if want.nextHops.isEmpty { return want.type != .unicast || have.nextHops.isEmpty }
        return Self.nextHops(want.nextHops, areSatisfiedBy: have.nextHops)
    }

    /// True when each wanted next hop is satisfied by its own reported one,
    /// and none is left over.
    public static func nextHops(_ want: [NextHop], areSatisfiedBy have: [NextHop]) -> Bool {
        guard want.count == have.count else { return false }
        var unmatched = have
        for hop in want {
            guard let i = unmatched.firstIndex(where: { hop.isSatisfied(by: $0) }) else { return false }
            unmatched.remove(at: i)
        }
        return true
    }

    /// One line in `ip route show table T`'s words: `[type] DST [via GW]
    /// dev ifN table T proto P [scope S] [metric M]`, with `nexthop ...` per
    /// ECMP member. Host prefixes print without their length, as ip does.
    public var description: String {
        var words: [String] = []
        if type != .unicast { words.append(type.description) }
        if destination.length == 0 {
            words.append("default")
        } else {
            words.append(destination.isHost ? destination.address.description : destination.description)
        }
        if nextHops.count == 1 {
            let hop = nextHops[0].description
            if !hop.isEmpty { words.append(hop) }
        }
        words.append("table \(table)")
        words.append("proto \(Self.protocolName(proto))")
        if scope != .universe { words.append("scope \(scope)") }
        if metric != 0 { words.append("metric \(metric)") }
        if nextHops.count > 1 {
            for hop in nextHops { words.append("nexthop \(hop)") }
        }
        return words.joined(separator: " ")
    }

    /// iproute2's names for the protocols of /etc/iproute2/rt_protos that
    /// matter here; any other prints as its number (248 does).
    public static func protocolName(_ proto: UInt8) -> String {
        switch proto {
        case 2: return "kernel"
        case 3: return "boot"
        case 4: return "static"
        case 11: return "zebra"
        case 12: return "bird"
        case 186: return "bgp"
        default: return "\(proto)"
        }
    }
}
