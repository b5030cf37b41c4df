import BGPCodec

/// What the caller looked up on the host for the defaults that depend on it.
/// This module reads nothing from the system; the daemon fills this in.
public struct HostFacts: Hashable, Sendable {
    /// The host name (gethostname).
    public var hostName: String?
    /// The interface of the default route.
    public var defaultRouteInterface: String?
    /// The first IPv4 address of that interface.
    public var defaultRouteIPv4: IPv4Address?

    /// The host's own addresses, for `forwarding: local`; nil when unknown
    /// (then that check is not made).
    public var localAddresses: Set<IPAddress>?

    public init(hostName: String? = nil, defaultRouteInterface: String? = nil, defaultRouteIPv4: IPv4Address? = nil,
                localAddresses: Set<IPAddress>? = nil) {
        self.hostName = hostName
        self.defaultRouteInterface = defaultRouteInterface
        self.defaultRouteIPv4 = defaultRouteIPv4
        self.localAddresses = localAddresses
    }
}

extension VipdConfig {
    /// Fills `node_name`, `router_id` and `interface` from the host where
    /// the file left them out. Refused: no router id while peers are set;
    /// no interface while ARP VIPs are set; no node name while an election
    /// is set (the leader's value is its node name); a `forwarding: local`
    /// backend that is not an address of this host.
    public func resolvingHostDefaults(_ host: HostFacts) throws(ConfigErrors) -> VipdConfig {
        var c = self
        var errors: [ConfigError] = []
        if c.nodeName == nil { c.nodeName = host.hostName }
        if c.routerID == nil { c.routerID = host.defaultRouteIPv4 }
        if c.interface == nil { c.interface = host.defaultRouteInterface }
        if c.routerID == nil, !c.peers.isEmpty {
            errors.append(ConfigError(.unknown, path: "router_id",
                                      reason: "not set, and the default-route interface has no IPv4 address to take it from; set router_id"))
        }
        if c.interface == nil, c.vips.contains(where: { $0.mode == .arp }) {
            errors.append(ConfigError(.unknown, path: "interface",
                                      reason: "not set, and there is no default route to take it from; ARP VIPs need an interface"))
        }
        if c.nodeName == nil, c.election != nil {
            errors.append(ConfigError(.unknown, path: "node_name",
                                      reason: "not set, and the host name is unknown; the election needs a node name"))
        }
        if let local = host.localAddresses {
            // IPVS's local-node method delivers to the director itself: the
            // backend must be one of its addresses (or a VIP it will own).
            let mine = local.union(c.vips.map(\.address))
            for (i, s) in c.services.enumerated() {
                for (j, b) in s.backends.enumerated() where s.forwarding(of: b) == .local && !mine.contains(b.address) {
                    errors.append(ConfigError(.unknown, path: "services[\(i)].backends[\(j)]",
                                              reason: "forwarding local delivers to this host, and \(b.address) is not one of its addresses"))
                }
            }
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return c
    }
}
