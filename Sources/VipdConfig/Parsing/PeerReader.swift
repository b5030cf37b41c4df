import BGPCodec

/// Reads `peers`.
struct PeerReader {
    let diag: Diagnostics
    let localASN: UInt32?
    let policies: Set<String>
    let listen: Bool

    static let keys = [
        "address", "asn", "port", "passive", "password", "ttl_security", "multihop", "hold_time", "keepalive",
        "families", "graceful_restart", "source_address", "import", "export", "max_prefix", "mrai",
    ]

    func decodeAll(_ f: Fields) -> [PeerConfig] {
        guard let items = f.list("peers") else { return [] }
        var out: [PeerConfig] = []
        var seen: [IPAddress: ConfigPath] = [:]
        for (n, p) in items {
            guard let peer = decode(n, path: p) else { continue }
            if let first = seen[peer.address] {
                diag.add(n.location, p.child("address"), "peer \(peer.address) is already \(first)")
                continue
            }
            seen[peer.address] = p
            out.append(peer)
        }
        return out
    }

    func decode(_ node: ConfigNode, path: ConfigPath) -> PeerConfig? {
        guard let f = Fields(node, path: path, diag: diag, allowed: Self.keys) else { return nil }
        let decoder = ConfigDecoder(diag: diag)

        var address: IPAddress?
        if let a = f.address("address") {
            if a.isUnspecified || a.isMulticast || a.isBroadcast {
                f.fail("address", "\(a) cannot be a peer")
            } else if a.isLinkLocal {
                f.fail("address", "link-local peers need an interface scope, which the config does not have; use a global address")
            } else {
                address = a
            }
        } else if !f.has("address") {
            f.missing("address")
        }
        let asn = decoder.asNumber(f, "asn")
        if asn == nil, !f.has("asn") { f.missing("asn", "required (the peer's AS number)") }

        // Build on a placeholder so that every key is still checked when
        // the address or AS is bad; the peer is dropped at the end.
        var peer = PeerConfig(address: address ?? .v4(.zero), asn: asn ?? 1)
        if let v: UInt16 = f.int("port", 1...65535) { peer.port = v }
        if let v = f.bool("passive") {
            peer.passive = v
            if v, !listen {
                f.fail("passive", "a passive peer needs a listen section: without one vipd accepts no connections")
            }
        }
        if let v = f.string("password") {
            if v.isEmpty || v.utf8.count > 80 {
                f.fail("password", "a TCP MD5 key is 1-80 bytes (Linux's TCP_MD5SIG_MAXKEYLEN), this one is \(v.utf8.count)")
            } else {
                peer.password = v
            }
        }
        if let v = f.bool("ttl_security") { peer.ttlSecurity = v }
        // GTSM's radius defaults to directly connected; without GTSM an
        // iBGP session may cross the network, as FRR lets it.
        let iBGP = asn != nil && asn == localASN
        peer.multihop = f.int("multihop", 1...255) ?? (iBGP && !peer.ttlSecurity ? 255 : 1)
        decodeTimers(f, into: &peer)
        if let items = f.list("families") {
            peer.families = decodeFamilies(items, f)
        }
        if let g = f.mapping("graceful_restart", allowed: ["enabled", "restart_time"]) {
            if let v = g.bool("enabled") { peer.gracefulRestart.enabled = v }
            if let v: UInt16 = g.int("restart_time", 0...4095) { peer.gracefulRestart.restartTime = v }
        }
        if let a = f.address("source_address") {
            if a.isUnspecified || a.isMulticast || a.isBroadcast {
                f.fail("source_address", "\(a) cannot be a source address")
            } else if let address, address.isIPv4 != a.isIPv4 {
                f.fail("source_address", "\(a) is not of the peer's family (the peer is \(address))")
            } else {
                peer.sourceAddress = a
            }
        }
        if let name = f.string("import") {
            switch name {
            case "accept-all": peer.importPolicy = .acceptAll
            case "accept-none": peer.importPolicy = .acceptNone
            default: if checkPolicy(name, f, "import") { peer.importPolicy = .policy(name) }
            }
        }
        if let name = f.string("export") {
            switch name {
            case "vips": peer.exportPolicy = .vips
            case "all": peer.exportPolicy = .all
            default: if checkPolicy(name, f, "export") { peer.exportPolicy = .policy(name) }
            }
        }
        if let g = f.mapping("max_prefix", allowed: ["limit", "warning_percent", "action", "restart_after"]) {
            let limit: UInt32? = g.int("limit", 1...UInt32.max)
            if limit == nil, !g.has("limit") { g.missing("limit", "required (the most prefixes the peer may send)") }
            var m = MaxPrefix(limit: limit ?? 1)
            if let v: UInt8 = g.int("warning_percent", 1...100) { m.warningPercent = v }
            if let v = g.choice("action", MaxPrefix.Action.self) { m.action = v }
            if let v: UInt32 = g.int("restart_after", 1...65535) { m.restartAfter = v }
            if limit != nil { peer.maxPrefix = m }
        }
        if let v: UInt16 = f.int("mrai", 0...65535) { peer.mrai = v }

        guard address != nil, asn != nil else { return nil }
        return peer
    }

    /// hold_time 0 or 3-65535; keepalive below it (0 with a hold time of 0).
    private func decodeTimers(_ f: Fields, into peer: inout PeerConfig) {
        if let v: UInt32 = f.int("hold_time", 0...65535) {
            if v == 1 || v == 2 {
                f.fail("hold_time", "\(v) is not allowed: a hold time is 0 (no keepalives) or 3-65535 seconds (RFC 4271 §4.2)")
            } else {
                peer.holdTime = UInt16(v)
            }
        }
        let hold = peer.holdTime
        guard let k: UInt16 = f.int("keepalive", 0...65535) else {
            peer.keepalive = hold / 3
            return
        }
        if hold == 0 {
            if k != 0 {
                f.fail("keepalive", "\(k) with hold_time 0: no keepalives are sent without a hold time; leave keepalive out or set 0")
            }
            peer.keepalive = 0
        } else if k == 0 {
            f.fail("keepalive", "0 would send no keepalives, and the peer would drop the session after hold_time \(hold); use 1-\(hold - 1)")
            peer.keepalive = hold / 3
        } else if k >= hold {
            f.fail("keepalive", "\(k) must be less than hold_time \(hold) (usually a third of it)")
            peer.keepalive = hold / 3
        } else {
            peer.keepalive = k
        }
    }

    private func decodeFamilies(_ items: ConfigItems, _ f: Fields) -> [AddressFamily] {
        var out: [AddressFamily] = []
        for (n, p) in items {
            guard let name = readString(n, path: p, diag: diag) else { continue }
            guard let fam = FamilyName.parse(name) else {
                diag.add(n.location, p, "unknown family '\(name)' (known: \(FamilyName.all.map(\.0).joined(separator: ", ")))")
                continue
            }
            if out.contains(fam) {
                diag.add(n.location, p, "\(name) is listed twice")
                continue
            }
            out.append(fam)
        }
        if items.isEmpty { f.fail("families", "at least one family is needed") }
        return out.isEmpty ? [.ipv4Unicast] : out
    }

    private func checkPolicy(_ name: String, _ f: Fields, _ key: String) -> Bool {
        if policies.contains(name) { return true }
        let builtIn = key == "import" ? "accept-all, accept-none" : "vips, all"
        let defined = policies.isEmpty ? "none is defined" : "defined: \(policies.sorted().joined(separator: ", "))"
        f.fail(key, "no policy named '\(name)' (built in: \(builtIn); \(defined))")
        return false
    }
}
