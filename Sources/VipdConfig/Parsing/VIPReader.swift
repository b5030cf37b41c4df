import BGPCodec

/// Reads `vips`, with the combinations interfaces.md refuses.
struct VIPReader {
    let diag: Diagnostics
    /// An `election` is set.
    let election: Bool
    /// A node `health` check is set.
    let health: Bool

    static let keys = [
        "address", "mode", "communities", "large_communities", "med", "local_pref", "as_path_prepend",
        "local", "advertise", "standby_prepend", "elected", "health",
    ]

    /// The modes each mode-specific key applies to.
    static let modesOfKey: [String: Set<VIPMode>] = [
        "communities": [.bgp], "large_communities": [.bgp], "med": [.bgp], "local_pref": [.bgp],
        "as_path_prepend": [.bgp], "advertise": [.bgp], "standby_prepend": [.bgp],
        "local": [.bgp, .table],
    ]

    func decodeAll(_ f: Fields) -> [VIPConfig] {
        guard let items = f.list("vips") else { return [] }
        var out: [VIPConfig] = []
        var seen: [IPAddress: ConfigPath] = [:]
        for (n, p) in items {
            guard let vip = decode(n, path: p) else { continue }
            if let first = seen[vip.address] {
                diag.add(n.location, p, "VIP \(vip.address) is already \(first)")
                continue
            }
            seen[vip.address] = p
            out.append(vip)
        }
        return out
    }

    func decode(_ node: ConfigNode, path: ConfigPath) -> VIPConfig? {
        // A plain string is {address: ...}.
        if node.isScalar {
            guard let a = readAddress(node, path: path, diag: diag), usable(a, at: node.location, path: path) else { return nil }
            var vip = VIPConfig(address: a)
            vip.health = health
            return vip
        }
        guard let f = Fields(node, path: path, diag: diag, allowed: Self.keys) else { return nil }
        var address: IPAddress?
        if let a = f.address("address") {
            if usable(a, at: f.location(of: "address"), path: path.child("address")) { address = a }
        } else if !f.has("address") {
            f.missing("address")
        }
        let mode = f.choice("mode", VIPMode.self) ?? .bgp
        var vip = VIPConfig(address: address ?? .v4(.zero), mode: mode)
        for (key, modes) in Self.modesOfKey where f.has(key) && !modes.contains(mode) {
            let names = modes.map(\.rawValue).sorted().joined(separator: " and ")
            f.fail(key, "applies to mode \(names) only; this VIP's mode is \(mode.rawValue)")
        }

        if mode == .bgp {
            if let items = f.list("communities") { vip.communities = readCommunities(items, diag: diag) }
            if let items = f.list("large_communities") { vip.largeCommunities = readLargeCommunities(items, diag: diag) }
            vip.med = f.int("med", 0...UInt32.max)
            vip.localPref = f.int("local_pref", 0...UInt32.max)
            if let v: UInt8 = f.int("as_path_prepend", 0...32) { vip.asPathPrepend = v }
            if let v = f.choice("advertise", Advertise.self) {
                vip.advertise = v
                if v == .leader, !election {
                    f.fail("advertise", "advertise: leader needs an election (set election, or advertise: all)")
                }
            }
            if let v: UInt8 = f.int("standby_prepend", 0...32) {
                if v > 0, vip.advertise != .leader {
                    f.fail("standby_prepend", "standby_prepend needs advertise: leader (with advertise: all every node advertises anyway)")
                } else {
                    vip.standbyPrepend = v
                }
            }
        }
        if mode != .arp, let v = f.bool("local") { vip.local = v }
        // `elected` governs ARP VIPs. interfaces.md's example also gives it
        // to a BGP VIP, so other modes accept it (true only with an
        // election), but there it changes nothing: `advertise` decides.
        if mode == .arp { vip.elected = election }
        if let v = f.bool("elected") {
            if election, !v, mode == .arp {
                f.fail("elected", "elected: false on an ARP VIP while an election is set: every node would own it")
            } else if !election, v {
                f.fail("elected", "elected: true needs an election; without one every node owns its ARP VIPs")
            }
        }
        vip.health = health
        if let v = f.bool("health") {
            if v, !health {
                f.fail("health", "health: true needs a health check (the top-level health section)")
            } else {
                vip.health = v
            }
        }
        guard address != nil else { return nil }
        return vip
    }

    private func usable(_ a: IPAddress, at: ConfigLocation, path: ConfigPath) -> Bool {
        let why: String? =
            a.isUnspecified ? "unspecified" : a.isLoopback ? "loopback" : a.isMulticast ? "multicast"
            : a.isBroadcast ? "broadcast" : a.isLinkLocal ? "link-local" : nil
        guard let why else { return true }
        diag.add(at, path, "\(a) is a \(why) address and cannot be a VIP")
        return false
    }
}
