import BGPCodec
import RIB
import VipdConfig

/// What governs VIPs besides the config: the election, the node health
/// check, the drain and the ARP interface's link. The daemon keeps one and
/// asks `plan` for each VIP; nothing here has side effects.
struct GateState: Hashable {
    /// An `election` is configured.
    var electionConfigured = false
    /// This node leads the election and is not fenced: it may own elected
    /// VIPs (the election driver's `onOwnership`).
    var ownsElection = false
    /// The node health check's verdict; nil when no `health` is configured.
    var healthUp: Bool?
    /// `vipctl drain` (or SIGTERM with `drain.on_sigterm`) is in force.
    var drained = false
    /// The ARP interface can carry traffic (admin up with carrier); nil
    /// while unknown (no link monitor), which counts as usable.
    var linkUsable: Bool?

    /// Whether the node may take part in the election now: healthy (when
    /// health gates some elected VIP) and, when it has ARP VIPs, with its
    /// ARP interface usable. A leader that loses either resigns, so that
    /// another node takes over with a graceful handover instead of waiting
    /// for its lease.
    func mayCampaign(healthGated: Bool, hasARPVIPs: Bool) -> Bool {
        (!healthGated || healthUp == true) && (!hasARPVIPs || linkUsable != false)
    }
}

/// One VIP's plan: how it is announced now.
enum VIPPlan: Hashable {
    /// bgp: advertised, with `extraPrepend` more copies of our AS (a
    /// standby under `standby_prepend`) and, when drained, RFC 8326's
    /// GRACEFUL_SHUTDOWN community and LOCAL_PREF 0 (iBGP only).
    case advertise(extraPrepend: UInt8, drained: Bool)
    /// arp: on the interface, announced by gratuitous ARP / unsolicited NA;
    /// table: its route in the routing table.
    case own
    /// Not announced, with the state `vipctl vips` shows: standby,
    /// withdrawn or down.
    case off(VIPState)

    var isOn: Bool { if case .off = self { return false } else { return true } }
}

/// The `state` of `vipctl vips` (interfaces.md).
enum VIPState: String, Hashable {
    case owned, advertised, standby, withdrawn, down
}

extension GateState {
    /// The plan of one VIP:
    /// - health first, in every mode: a VIP gated on a failing check is
    ///   withdrawn (bgp, table) or dropped (arp), except an elected VIP on
    ///   the leader, which the handover drops;
    /// - bgp: `advertise: all` everywhere; `leader` on the leader only,
    ///   standbys with `standby_prepend` extra prepends or not at all; a
    ///   drain adds GRACEFUL_SHUTDOWN;
    /// - arp: on the elected leader when `elected` (always, with an
    ///   election), else on every healthy node; down while the interface is.
    func plan(_ v: VIPConfig) -> VIPPlan {
        // An elected VIP on the leader is the election's to drop: a failing
        // check makes the leader resign, and it keeps the VIP until the
        // successor has taken it (no probe lost).
        if v.health, healthUp == false, !(isElected(v) && ownsElection) { return .off(.withdrawn) }
        switch v.mode {
        case .bgp:
            if v.advertise == .leader, !ownsElection {
                return v.standbyPrepend > 0 ? .advertise(extraPrepend: v.standbyPrepend, drained: drained) : .off(.standby)
            }
            return .advertise(extraPrepend: 0, drained: drained)
        case .arp:
            if linkUsable == false { return .off(.down) }
            if electionConfigured { return ownsElection ? .own : .off(.standby) }
            return .own
        case .table:
            return .own
        }
    }

    /// Whether the election decides where the VIP is: ARP VIPs under an
    /// election, and BGP VIPs advertised by the leader only.
    func isElected(_ v: VIPConfig) -> Bool {
        electionConfigured && (v.mode == .arp || (v.mode == .bgp && v.advertise == .leader))
    }

    /// The route that carries a planned bgp VIP, or nil when it is off.
    static func route(_ v: VIPConfig, _ plan: VIPPlan) -> VIPRoute? {
        guard case .advertise(let extra, let drained) = plan else { return nil }
        var r = VIPRoute(prefix: Daemon.hostPrefix(v.address), communities: v.communities.map(\.value),
                         largeCommunities: v.largeCommunities, med: v.med, localPref: v.localPref,
                         asPathPrepend: Int(v.asPathPrepend) + Int(extra))
        if drained {
            // RFC 8326 §3: GRACEFUL_SHUTDOWN (65535:0), and LOCAL_PREF 0,
            // which the export sends to internal peers only.
            if !r.communities.contains(gracefulShutdownCommunity) { r.communities.append(gracefulShutdownCommunity) }
            r.localPref = 0
        }
        return r
    }

    /// RFC 8326's well-known community, 65535:0.
    static let gracefulShutdownCommunity: UInt32 = 0xFFFF_0000
}
