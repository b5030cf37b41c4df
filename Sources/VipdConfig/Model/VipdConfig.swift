import BGPCodec

/// The whole config file of ../shared/design/interfaces.md ("The config file
/// (YAML): one schema for every issue"), as plain values with every default
/// filled in.
///
/// Three defaults depend on the host and are left to the caller, since this
/// module reads nothing from the system: `nodeName` (the host name),
/// `routerID` (the first IPv4 address of the default-route interface) and
/// `interface` (the interface of the default route). They are `nil` when the
/// file does not give them; `resolvingHostDefaults(_:)` fills them from
/// facts the caller looked up.
public struct VipdConfig: Hashable, Sendable {
    /// `node_name`. nil: the caller uses the host name.
    public var nodeName: String?
    /// `router_id`. nil: the caller uses the first IPv4 address of the
    /// default-route interface, and refuses the config if there is none
    /// while peers are set.
    public var routerID: IPv4Address?
    /// `asn`, our AS. Required when `peers` is non-empty.
    public var asn: UInt32?
    /// `state_dir`: records of what vipd created. Default /var/lib/vipd.
    public var stateDir: String = "/var/lib/vipd"
    public var control = ControlConfig()
    public var metrics = MetricsConfig()
    /// `listen`. nil (the key left out): active-only, no listening socket.
    public var listen: ListenConfig?
    /// `interface` for ARP/NDP VIPs. nil: the caller uses the interface of
    /// the default route.
    public var interface: String?
    public var bestpath = BestPathConfig()
    public var peers: [PeerConfig] = []
    public var policies: [Policy] = []
    public var vips: [VIPConfig] = []
    public var layer2 = Layer2Config()
    /// `election`. nil: no election; ARP VIPs are owned unconditionally.
    public var election: ElectionConfig?
    /// `health`, the node check. nil: no check; every VIP is up.
    public var health: HealthCheck?
    public var drain = DrainConfig()
    public var fib = FIBConfig()
    public var routingTable = RoutingTableConfig()
    public var services: [ServiceConfig] = []
    public var ipvs = IPVSConfig()
    public var realServer = RealServerConfig()

    public init() {}

    /// The peer with this address, if configured.
    public func peer(_ address: IPAddress) -> PeerConfig? { peers.first { $0.address == address } }
    /// The VIP with this address, if configured.
    public func vip(_ address: IPAddress) -> VIPConfig? { vips.first { $0.address == address } }
    /// The policy with this name, if configured.
    public func policy(named name: String) -> Policy? { policies.first { $0.name == name } }
}

/// `control`.
public struct ControlConfig: Hashable, Sendable {
    /// `socket`: the control API's unix socket. Default /run/vipd/vipd.sock.
    public var socket: String = "/run/vipd/vipd.sock"
    public init(socket: String = "/run/vipd/vipd.sock") { self.socket = socket }
}

/// `metrics`.
public struct MetricsConfig: Hashable, Sendable {
    /// `address`: where Prometheus scrapes. Default 127.0.0.1:2112.
    public var address = SocketAddress(.v4(IPv4Address(127, 0, 0, 1)), port: 2112)
    public init() {}
    public init(address: SocketAddress) { self.address = address }
}

/// `listen`: the passive side of BGP.
public struct ListenConfig: Hashable, Sendable {
    /// `address`. Default "::" (every IPv6 and, dual-stack, IPv4 address).
    public var address: IPAddress = .v6(.zero)
    /// `port`. Default 179.
    public var port: UInt16 = 179
    public init(address: IPAddress = .v6(.zero), port: UInt16 = 179) {
        self.address = address
        self.port = port
    }
}

/// `bestpath`: options of the decision process.
public struct BestPathConfig: Hashable, Sendable {
    /// `always_compare_med`: compare MED across neighbour ASes. Default false.
    public var alwaysCompareMED = false
    /// `multipath`: ECMP across equal paths. Default false.
    public var multipath = false
    public init(alwaysCompareMED: Bool = false, multipath: Bool = false) {
        self.alwaysCompareMED = alwaysCompareMED
        self.multipath = multipath
    }
}

/// `layer2`: ARP/NDP mode.
public struct Layer2Config: Hashable, Sendable {
    /// `nodad`: add IPv6 VIPs without duplicate address detection. Default true.
    public var nodad = true
    public var garp = GARPConfig()
    public init() {}
}

/// `layer2.garp`: gratuitous ARP / unsolicited NA at takeover.
public struct GARPConfig: Hashable, Sendable {
    /// `count`: frames in the burst at takeover, 1-100. Default 3.
    public var count: Int = 3
    /// `interval_ms`: spacing of the burst, 0-10000 ms. Default 100.
    public var intervalMs: Int = 100
    /// `refresh_s`: periodic refresh, 0-86400 s; 0 (the default) is off.
    public var refreshS: Int = 0
    public init(count: Int = 3, intervalMs: Int = 100, refreshS: Int = 0) {
        self.count = count
        self.intervalMs = intervalMs
        self.refreshS = refreshS
    }
}

/// `drain`: RFC 8326 graceful shutdown.
public struct DrainConfig: Hashable, Sendable {
    /// `wait`: how long to keep the GRACEFUL_SHUTDOWN advertisements before
    /// withdrawing. Default 5 s.
    public var wait: Seconds = 5
    /// `on_sigterm`: drain before SIGTERM's withdrawal. Default false.
    public var onSigterm = false
    public init(wait: Seconds = 5, onSigterm: Bool = false) {
        self.wait = wait
        self.onSigterm = onSigterm
    }
}

/// `fib`: install best routes into the kernel.
public struct FIBConfig: Hashable, Sendable {
    /// `install`. Default false.
    public var install = false
    /// `table`: kernel table, 1-4294967295 but not 255 (local). Default 254 (main).
    public var table: UInt32 = 254
    /// `protocol`: the route protocol id that marks vipd's routes, 4-255.
    /// Default 186 (as FRR's BGP).
    public var routeProtocol: UInt8 = 186
    /// `metric`. Default 20.
    public var metric: UInt32 = 20
    public init() {}
}

/// `routing_table`: where `mode: table` VIPs go.
public struct RoutingTableConfig: Hashable, Sendable {
    /// `table`. Default 198 (kube-vip's).
    public var table: UInt32 = 198
    /// `protocol`. Default 248 (kube-vip's).
    public var routeProtocol: UInt8 = 248
    public init() {}
}

/// `ipvs`.
public struct IPVSConfig: Hashable, Sendable {
    /// `keep_on_exit`: leave vipd's IPVS entries in place at exit. Default false.
    public var keepOnExit = false
    public init(keepOnExit: Bool = false) { self.keepOnExit = keepOnExit }
}

/// `real_server`: this node as a DR or tunnel backend.
public struct RealServerConfig: Hashable, Sendable {
    /// `addresses`: virtual addresses put on lo. Default none.
    public var addresses: [IPAddress] = []
    public init(addresses: [IPAddress] = []) { self.addresses = addresses }
}
