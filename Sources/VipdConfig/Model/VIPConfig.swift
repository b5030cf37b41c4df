import BGPCodec

/// One entry of `vips`: a plain string `10.0.1.100` means `{address: 10.0.1.100}`.
///
/// Keys by mode (a key that does not apply to the VIP's mode is refused):
/// - every mode: `address`, `mode`, `health`;
/// - bgp: `communities`, `large_communities`, `med`, `local_pref`,
///   `as_path_prepend`, `local`, `advertise`, `standby_prepend`;
/// - table: `local`;
/// - arp: `elected`, which other modes also accept (interfaces.md's example
///   sets it on a BGP VIP) but ignore.
public struct VIPConfig: Hashable, Sendable {
    /// `address` (required): one unicast address, without a prefix length;
    /// not unspecified, loopback, multicast, broadcast or IPv6 link-local.
    public var address: IPAddress
    /// `mode`. Default bgp.
    public var mode: VIPMode = .bgp
    /// `communities` (bgp). Default none.
    public var communities: [Community] = []
    /// `large_communities` (bgp). Default none.
    public var largeCommunities: [LargeCommunity] = []
    /// `med` (bgp). Default none: no MULTI_EXIT_DISC attribute.
    public var med: UInt32?
    /// `local_pref` (bgp; sent to iBGP peers only). Default none: the
    /// session's default (100).
    public var localPref: UInt32?
    /// `as_path_prepend` (bgp): extra copies of our AS, 0-32. Default 0.
    public var asPathPrepend: UInt8 = 0
    /// `local` (bgp, table): also add the address to lo while announced.
    /// Default true. Always false for arp, which owns it on `interface`.
    public var local = true
    /// `advertise` (bgp). Default all.
    public var advertise: Advertise = .all
    /// `standby_prepend` (bgp, only with advertise: leader): non-leaders
    /// advertise with this many extra prepends, 0-32; 0 (the default) means
    /// they do not advertise at all.
    public var standbyPrepend: UInt8 = 0
    /// `elected` (arp): owned only by the election's leader. Default (and
    /// the only value allowed) true when an `election` is set; false
    /// without one, where it cannot be true. Always false for other modes,
    /// where `advertise` decides.
    public var elected = false
    /// `health`: gated on the node health check, in every mode. Default true
    /// when a `health` check is set; false without one, where it cannot be true.
    public var health = false

    public init(address: IPAddress, mode: VIPMode = .bgp) {
        self.address = address
        self.mode = mode
        local = mode != .arp
    }
}

/// A VIP's `mode`.
public enum VIPMode: String, Hashable, Sendable, CaseIterable {
    /// Advertised as a /32 or /128 to the BGP peers.
    case bgp
    /// Owned on `interface`, announced by gratuitous ARP or unsolicited NA.
    case arp
    /// Written into the `routing_table` for a local FRR or BIRD.
    case table
}

/// A BGP VIP's `advertise`.
public enum Advertise: String, Hashable, Sendable, CaseIterable {
    /// Every node advertises it (the router does ECMP).
    case all
    /// Only the election's leader.
    case leader
}
