/// A virtual service's transport protocol; the raw value is the IPPROTO
/// number the kernel's IPVS_SVC_ATTR_PROTOCOL carries.
public enum IPVSProtocol: UInt16, Hashable, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    case tcp = 6
    case udp = 17
    case sctp = 132

    public static func < (a: IPVSProtocol, b: IPVSProtocol) -> Bool { a.rawValue < b.rawValue }

    /// "tcp", "udp" or "sctp".
    public var description: String {
        switch self {
        case .tcp: return "tcp"
        case .udp: return "udp"
        case .sctp: return "sctp"
        }
    }

    public init?(name: some StringProtocol) {
        guard let p = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = p
    }
}

/// What names a virtual service in the kernel: protocol, address and port,
/// or a firewall mark and a family. None of it can be edited: another key is
/// another service.
public enum IPVSServiceKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    case address(IPVSProtocol, IPVSAddress, port: UInt16)
    case fwmark(UInt32, family: IPVSFamily)

    public var ipvsFamily: IPVSFamily {
        switch self {
        case .address(_, let a, _): return a.ipvsFamily
        case .fwmark(_, let f): return f
        }
    }

    /// AF_INET or AF_INET6 (IPVS_SVC_ATTR_AF).
    public var family: UInt16 { ipvsFamily.rawValue }

    /// IPPROTO number (IPVS_SVC_ATTR_PROTOCOL); 0 for a fwmark service, which
    /// the kernel names by mark and family only.
    public var protocolNumber: UInt16 {
        if case .address(let p, _, _) = self { return p.rawValue }
        return 0
    }

    /// The address in network byte order (4 or 16 bytes); empty for fwmark.
    public var addressBytes: [UInt8] {
        if case .address(_, let a, _) = self { return a.addressBytes }
        return []
    }

    /// Host byte order; 0 for fwmark.
    public var port: UInt16 {
        if case .address(_, _, let p) = self { return p }
        return 0
    }

    /// The mark; 0 for an address service.
    public var fwmark: UInt32 {
        if case .fwmark(let m, _) = self { return m }
        return 0
    }

    /// The ownership record's spelling: `tcp 192.168.113.200:8443`,
    /// `udp [fd00::1]:53`, `fwmark 7 ipv4`.
    public var description: String {
        switch self {
        case .address(let p, let a, let port): return "\(p) \(a.withPort(port))"
        case .fwmark(let m, let f): return "fwmark \(m) \(f)"
        }
    }

    /// Parses `description`'s text.
    public init?(_ text: some StringProtocol) {
        let words = String(text).split(separator: " ", omittingEmptySubsequences: false)
        if words.count == 3, words[0] == "fwmark" {
            guard let m = UInt32(words[1]), m > 0, words[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                  let f = IPVSFamily.allCases.first(where: { $0.description == words[2] }) else { return nil }
            self = .fwmark(m, family: f)
        } else if words.count == 2, let p = IPVSProtocol(name: words[0]),
                  let (a, port) = parseAddressPort(words[1]) {
            self = .address(p, a, port: port)
        } else {
            return nil
        }
    }

    /// Address services first (by family, address, port, protocol), then
    /// fwmark services (by family, mark). Only for a stable, readable order.
    public static func < (a: IPVSServiceKey, b: IPVSServiceKey) -> Bool {
        switch (a, b) {
        case (.address(let p1, let a1, let port1), .address(let p2, let a2, let port2)):
            return (a1, port1, p1.rawValue) < (a2, port2, p2.rawValue)
        case (.fwmark(let m1, let f1), .fwmark(let m2, let f2)):
            return (f1.rawValue, m1) < (f2.rawValue, m2)
        case (.address, .fwmark): return true
        case (.fwmark, .address): return false
        }
    }
}

/// A virtual service's settings. All but `key` can be changed in place
/// (IPVS_CMD_SET_SERVICE).
public struct IPVSService: Hashable, Sendable {
    public var key: IPVSServiceKey
    /// The scheduler's kernel name: rr, wrr, lc, wlc, lblc, lblcr, dh, sh,
    /// sed, nq, mh, fo, ovf, twos.
    public var scheduler: String
    /// Persistence in seconds; 0 is off. The kernel's persistent flag is
    /// `persistence > 0` and its timeout this value.
    public var persistence: UInt32
    /// The persistence granularity as a prefix length (ipvsadm -M); the
    /// family's full length (32 or 128) by default.
    public var netmaskPrefixLength: UInt8

    public init(key: IPVSServiceKey, scheduler: String = "wlc", persistence: UInt32 = 0,
                netmaskPrefixLength: UInt8? = nil) {
        self.key = key
        self.scheduler = scheduler
        self.persistence = persistence
        self.netmaskPrefixLength = netmaskPrefixLength ?? key.ipvsFamily.fullPrefixLength
    }

    /// IP_VS_SVC_F_PERSISTENT.
    public static let persistentFlag: UInt32 = 0x0001
    /// IP_VS_SVC_F_HASHED: set by the kernel on every listed service; never
    /// sent, and ignored when reading back.
    public static let hashedFlag: UInt32 = 0x0002

    /// The flags to send (IPVS_SVC_ATTR_FLAGS' `flags`, with `kernelFlagsMask`
    /// as its mask so an edit also clears persistence).
    public var kernelFlags: UInt32 { persistence > 0 ? Self.persistentFlag : 0 }
    public static let kernelFlagsMask: UInt32 = persistentFlag

    /// The timeout to send (IPVS_SVC_ATTR_TIMEOUT): the persistence, or 0.
    public var kernelTimeout: UInt32 { persistence }

    /// IPVS_SVC_ATTR_NETMASK as `nla_put_u32` writes it: for IPv4 the mask
    /// in network byte order in memory (the kernel reads a __be32, so
    /// 255.255.255.0 is the host value `0xFFFFFF00.bigEndian`); for IPv6 the
    /// prefix length.
    public var kernelNetmask: UInt32 {
        switch key.ipvsFamily {
        case .ipv4:
            let n = UInt32(min(netmaskPrefixLength, 32))
            let mask: UInt32 = n == 0 ? 0 : ~UInt32(0) << (32 - n)
            return mask.bigEndian
        case .ipv6:
            return UInt32(min(netmaskPrefixLength, 128))
        }
    }

    /// The inverse of `kernelNetmask`; nil for an IPv4 mask that is not a
    /// prefix or an IPv6 length over 128.
    public static func netmaskPrefixLength(kernelNetmask: UInt32, family: IPVSFamily) -> UInt8? {
        switch family {
        case .ipv4:
            let mask = UInt32(bigEndian: kernelNetmask)
            let ones = mask.leadingZeroBitCount == 0 ? (~mask).leadingZeroBitCount : 0
            guard mask == (ones == 0 ? 0 : ~UInt32(0) << (32 - ones)) else { return nil }
            return UInt8(ones)
        case .ipv6:
            return kernelNetmask <= 128 ? UInt8(kernelNetmask) : nil
        }
    }

    /// From what the kernel lists: persistence is the timeout when the
    /// persistent flag is set, else 0.
    public init?(key: IPVSServiceKey, scheduler: String, kernelFlags: UInt32, kernelTimeout: UInt32,
                 kernelNetmask: UInt32) {
        guard let plen = Self.netmaskPrefixLength(kernelNetmask: kernelNetmask, family: key.ipvsFamily) else {
            return nil
        }
        self.init(key: key, scheduler: scheduler,
                  persistence: kernelFlags & Self.persistentFlag != 0 ? kernelTimeout : 0,
                  netmaskPrefixLength: plen)
    }
}

/// A real server's forwarding method; the raw value is the kernel's
/// IP_VS_CONN_F_* code (IPVS_DEST_ATTR_FWD_METHOD).
public enum IPVSForwarding: UInt32, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// NAT (ipvsadm -m).
    case masq = 0
    /// The director itself.
    case local = 1
    /// IP-in-IP (ipvsadm -i).
    case tunnel = 2
    /// Direct routing (ipvsadm -g).
    case droute = 3

    public static let masqCode: UInt32 = 0
    public static let localNodeCode: UInt32 = 1
    public static let tunnelCode: UInt32 = 2
    public static let directRouteCode: UInt32 = 3
    /// IP_VS_CONN_F_FWD_MASK: the bits of a destination's conn flags that
    /// are its forwarding method.
    public static let kernelMask: UInt32 = 0x0007

    /// From a destination's conn flags (only the forwarding bits count).
    public init?(kernelFlags: UInt32) { self.init(rawValue: kernelFlags & Self.kernelMask) }

    public var kernelCode: UInt32 { rawValue }

    public var description: String {
        switch self {
        case .masq: return "masq"
        case .local: return "local"
        case .tunnel: return "tunnel"
        case .droute: return "droute"
        }
    }
}

/// What names a real server within its service.
public struct IPVSDestinationKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var address: IPVSAddress
    /// Host byte order; 0 for a fwmark service's "the packet's own port".
    public var port: UInt16

    public init(address: IPVSAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    public var description: String { address.withPort(port) }

    public static func < (a: IPVSDestinationKey, b: IPVSDestinationKey) -> Bool {
        (a.address, a.port) < (b.address, b.port)
    }
}

/// A real server's settings. All but the address and port can be changed
/// in place (IPVS_CMD_SET_DEST, as `ipvsadm -e` changes -g/-m/-i and -w).
public struct IPVSDestination: Hashable, Sendable {
    public var address: IPVSAddress
    public var port: UInt16
    public var forwarding: IPVSForwarding
    /// 0 quiesces: no new connections.
    public var weight: Int32
    /// Connection thresholds (ipvsadm -x, -y); 0 is none.
    public var upperThreshold: UInt32
    public var lowerThreshold: UInt32

    public init(address: IPVSAddress, port: UInt16, forwarding: IPVSForwarding = .droute, weight: Int32 = 1,
                upperThreshold: UInt32 = 0, lowerThreshold: UInt32 = 0) {
        self.address = address
        self.port = port
        self.forwarding = forwarding
        self.weight = weight
        self.upperThreshold = upperThreshold
        self.lowerThreshold = lowerThreshold
    }

    public var key: IPVSDestinationKey { IPVSDestinationKey(address: address, port: port) }

    /// AF_INET or AF_INET6 (IPVS_DEST_ATTR_ADDR_FAMILY).
    public var family: UInt16 { address.family }
    public var addressBytes: [UInt8] { address.addressBytes }
}

/// One virtual service with its real servers.
public struct IPVSServiceState: Hashable, Sendable {
    public var service: IPVSService
    public var destinations: [IPVSDestinationKey: IPVSDestination]

    public init(service: IPVSService, destinations: [IPVSDestination] = []) {
        self.service = service
        self.destinations = Dictionary(destinations.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The real servers by address, then port.
    public var sortedDestinations: [IPVSDestination] {
        destinations.values.sorted { $0.key < $1.key }
    }
}

/// A whole IPVS table, desired or as the kernel lists it. Order carries no
/// meaning: two tables with the same services and real servers are equal.
public struct IPVSTableState: Hashable, Sendable {
    public var services: [IPVSServiceKey: IPVSServiceState]

    public init() { services = [:] }

    public init(_ services: [IPVSServiceState]) {
        self.services = Dictionary(services.map { ($0.service.key, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Adds the service or replaces its settings, keeping its real servers.
    public mutating func upsert(_ service: IPVSService) {
        if services[service.key] != nil {
            services[service.key]!.service = service
        } else {
            services[service.key] = IPVSServiceState(service: service)
        }
    }

    /// Adds or replaces a real server of an existing service; false when the
    /// service is not in the table.
    @discardableResult
    public mutating func upsert(_ destination: IPVSDestination, in key: IPVSServiceKey) -> Bool {
        guard services[key] != nil else { return false }
        services[key]!.destinations[destination.key] = destination
        return true
    }

    /// The services in `IPVSServiceKey` order.
    public var sortedServices: [IPVSServiceState] { services.values.sorted { $0.service.key < $1.service.key } }

    /// How many real servers in all.
    public var destinationCount: Int { services.values.reduce(0) { $0 + $1.destinations.count } }

    /// The table cut down to the given services (those present).
    public func restricted(to keys: Set<IPVSServiceKey>) -> IPVSTableState {
        var t = IPVSTableState()
        t.services = services.filter { keys.contains($0.key) }
        return t
    }
}
