/// What a reload changes, and what each change costs. Only peers whose
/// session parameters changed are reset; VIP, policy, import/export,
/// max-prefix and MRAI changes apply without a reset.
///
/// Peers are matched by address (addresses are unique in a config), so a
/// peer whose address changed is one removed and one added. VIPs are
/// matched by address, policies by name.
public struct ConfigDiff: Hashable, Sendable {
    public var peersAdded: [PeerConfig] = []
    public var peersRemoved: [PeerConfig] = []
    /// Peers in both configs whose settings differ, in the new config's order.
    public var peersChanged: [PeerChange] = []
    /// Settings of our own that every session carries; when one changes,
    /// every kept peer is reset.
    public var sessionWideChanges: [SessionWideSetting] = []

    public var vipsAdded: [VIPConfig] = []
    public var vipsRemoved: [VIPConfig] = []
    /// VIPs in both configs whose attributes differ (old, new).
    public var vipsChanged: [VIPChange] = []

    public var policiesAdded: [String] = []
    public var policiesRemoved: [String] = []
    /// Policies in both configs whose rules differ.
    public var policiesChanged: [String] = []

    /// Top-level sections that differ other than peers, vips and policies
    /// (asn and router_id included), by their key: "listen", "election", ...
    public var sectionsChanged: [String] = []

    public init(old: VipdConfig, new: VipdConfig) {
        if old.asn != new.asn { sessionWideChanges.append(.asn) }
        if old.routerID != new.routerID { sessionWideChanges.append(.routerID) }

        let oldPeers = Dictionary(old.peers.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        let newAddresses = Set(new.peers.map(\.address))
        peersRemoved = old.peers.filter { !newAddresses.contains($0.address) }
        for p in new.peers {
            guard let before = oldPeers[p.address] else {
                peersAdded.append(p)
                continue
            }
            keptPeers.append(p)
            let settings = PeerSetting.allCases.filter { $0.differs(before, p) }
            if !settings.isEmpty { peersChanged.append(PeerChange(old: before, new: p, settings: settings)) }
        }

        let oldVIPs = Dictionary(old.vips.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        let newVIPs = Set(new.vips.map(\.address))
        vipsRemoved = old.vips.filter { !newVIPs.contains($0.address) }
        for v in new.vips {
            if let before = oldVIPs[v.address] {
                if before != v { vipsChanged.append(VIPChange(old: before, new: v)) }
            } else {
                vipsAdded.append(v)
            }
        }

        let oldPolicies = Dictionary(old.policies.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newNames = Set(new.policies.map(\.name))
        policiesRemoved = old.policies.map(\.name).filter { !newNames.contains($0) }
        for p in new.policies {
            if let before = oldPolicies[p.name] {
                if before != p { policiesChanged.append(p.name) }
            } else {
                policiesAdded.append(p.name)
            }
        }

        var sections: [(String, Bool)] = [
            ("node_name", old.nodeName != new.nodeName), ("router_id", old.routerID != new.routerID),
            ("asn", old.asn != new.asn), ("state_dir", old.stateDir != new.stateDir),
            ("control", old.control != new.control), ("metrics", old.metrics != new.metrics),
            ("listen", old.listen != new.listen), ("interface", old.interface != new.interface),
            ("bestpath", old.bestpath != new.bestpath),
        ]
        sections += [
            ("layer2", old.layer2 != new.layer2), ("election", old.election != new.election),
            ("health", old.health != new.health), ("drain", old.drain != new.drain), ("fib", old.fib != new.fib),
            ("routing_table", old.routingTable != new.routingTable), ("services", old.services != new.services),
            ("ipvs", old.ipvs != new.ipvs), ("real_server", old.realServer != new.realServer),
        ]
        sectionsChanged = sections.filter(\.1).map(\.0)
    }

    /// Peers to reset: kept peers with a changed session setting, or every
    /// kept peer when a session-wide setting changed. Added peers start and
    /// removed ones stop; they are not listed here.
    public var peersToReset: [PeerConfig] {
        guard sessionWideChanges.isEmpty else { return keptPeers }
        return peersChanged.filter(\.needsReset).map(\.new)
    }

    /// Kept peers whose changes apply in place (import, export, max_prefix,
    /// mrai), or whose import or export policy changed, and that are not
    /// reset anyway. The RIB re-evaluates them; no route refresh is needed,
    /// since denied routes stay in Adj-RIB-In.
    public var peersToReevaluate: [PeerConfig] {
        let reset = Set(peersToReset.map(\.address))
        let touched = Set(policiesChanged + policiesAdded + policiesRemoved)
        return keptPeers.filter { p in
            guard !reset.contains(p.address) else { return false }
            let changed = peersChanged.contains { $0.new.address == p.address }
            let usesTouched = [p.importPolicy.policyName, p.exportPolicy.policyName].contains { $0.map(touched.contains) ?? false }
            return changed || usesTouched
        }
    }

    /// True when the reload resets at least one session.
    public var resetsSessions: Bool { !peersToReset.isEmpty }

    /// Nothing differs.
    public var isEmpty: Bool {
        peersAdded.isEmpty && peersRemoved.isEmpty && peersChanged.isEmpty && vipsAdded.isEmpty && vipsRemoved.isEmpty
            && vipsChanged.isEmpty && policiesAdded.isEmpty && policiesRemoved.isEmpty && policiesChanged.isEmpty
            && sectionsChanged.isEmpty
    }

    /// Peers in both configs, in the new config's order.
    private var keptPeers: [PeerConfig] = []
}

/// Settings of our own that every session's OPEN carries.
public enum SessionWideSetting: String, Hashable, Sendable {
    case asn
    case routerID = "router_id"
}

/// A kept peer and what changed about it.
public struct PeerChange: Hashable, Sendable {
    public var old: PeerConfig
    public var new: PeerConfig
    public var settings: [PeerSetting]

    /// A session parameter changed: the session must be reset.
    public var needsReset: Bool { settings.contains(where: \.resetsSession) }
}

/// A kept VIP whose attributes changed: re-advertise, or move between modes.
public struct VIPChange: Hashable, Sendable {
    public var old: VIPConfig
    public var new: VIPConfig
}

/// One key of a peer, by its config name.
public enum PeerSetting: String, Hashable, Sendable, CaseIterable {
    case asn, port, passive, password
    case ttlSecurity = "ttl_security"
    case multihop
    case holdTime = "hold_time"
    case keepalive, families
    case gracefulRestart = "graceful_restart"
    case sourceAddress = "source_address"
    case importPolicy = "import"
    case exportPolicy = "export"
    case maxPrefix = "max_prefix"
    case mrai

    /// Whether a change needs a new session: what goes into the OPEN or the
    /// TCP connection does; routing choices apply in place.
    public var resetsSession: Bool {
        switch self {
        case .importPolicy, .exportPolicy, .maxPrefix, .mrai: return false
        default: return true
        }
    }

    func differs(_ a: PeerConfig, _ b: PeerConfig) -> Bool {
        switch self {
        case .asn: return a.asn != b.asn
        case .port: return a.port != b.port
        case .passive: return a.passive != b.passive
        case .password: return a.password != b.password
        case .ttlSecurity: return a.ttlSecurity != b.ttlSecurity
        case .multihop: return a.multihop != b.multihop
        case .holdTime: return a.holdTime != b.holdTime
        case .keepalive: return a.keepalive != b.keepalive
        case .families: return Set(a.families) != Set(b.families)  // the order offered changes nothing
        case .gracefulRestart: return a.gracefulRestart != b.gracefulRestart
        case .sourceAddress: return a.sourceAddress != b.sourceAddress
        case .importPolicy: return a.importPolicy != b.importPolicy
        case .exportPolicy: return a.exportPolicy != b.exportPolicy
        case .maxPrefix: return a.maxPrefix != b.maxPrefix
        case .mrai: return a.mrai != b.mrai
        }
    }
}
