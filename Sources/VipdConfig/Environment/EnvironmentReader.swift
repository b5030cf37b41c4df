/// Builds the document that kube-vip's variables imply (see `KubeVip`).
struct EnvironmentReader {
    let env: [String: String]
    let flags: KubeVipFlags
    var errors: [ConfigError] = []
    /// Where the document's nodes are made.
    let b = ConfigBuilder()

    init(env: [String: String], flags: KubeVipFlags) {
        // An empty variable is the same as an unset one, as in kube-vip.
        self.env = env.filter { KubeVip.variables.contains($0.key) && !$0.value.isEmpty }
        self.flags = flags
    }

    /// Go's strconv.ParseBool, which kube-vip uses.
    static func bool(_ text: String?) -> Bool? {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }

    private mutating func flag(_ name: String) -> Bool {
        guard let text = env[name] else { return false }
        guard let v = Self.bool(text) else {
            errors.append(ConfigError(.environment(name), path: "", reason: "expected a boolean (true or false), found '\(text)'"))
            return false
        }
        return v
    }

    private func value(_ name: String) -> ConfigNode? {
        env[name].map { b.plain($0, at: .environment(name)) }
    }

    mutating func build() -> ConfigNode {
        var top: [(String, ConfigNode)] = []
        let arp = flag("vip_arp")
        let bgp = flag("bgp_enable")
        let leaderElection = flag("vip_leaderelection")
        let controlPlane = flag("cp_enable")
        if arp && bgp {
            errors.append(ConfigError(.environment("bgp_enable"), path: "",
                                      reason: "vip_arp and bgp_enable are both true; choose one mode for the VIP"))
        }

        if bgp {
            if let v = value("bgp_as") { top.append(("asn", v)) }
            if let v = value("bgp_routerid") { top.append(("router_id", v)) }
            let peers = buildPeers()
            if !peers.isEmpty {
                let at: ConfigLocation = .environment(env["bgp_peers"] != nil ? "bgp_peers" : "bgp_peeraddress")
                top.append(("peers", b.sequence(peers, at: at)))
            }
        }
        if let v = value("vip_interface") { top.append(("interface", v)) }
        if let vips = buildVIPs(arp: arp, advertiseLeader: bgp && leaderElection) { top.append(("vips", vips)) }
        if leaderElection, let e = buildElection() { top.append(("election", e)) }
        if controlPlane {
            let at = ConfigLocation.environment("cp_enable")
            let port = env["port"] ?? "6443"
            top.append(("health", b.map([
                ("type", b.plain("https", at: at)),
                ("url", b.plain("https://127.0.0.1:\(port)/readyz", at: env["port"] != nil ? .environment("port") : at)),
                ("ca_file", b.plain("/etc/kubernetes/pki/ca.crt", at: at)),
            ], at: at)))
        }
        return b.map(top, at: .unknown)
    }

    private mutating func buildVIPs(arp: Bool, advertiseLeader: Bool) -> ConfigNode? {
        var addresses: [(String, String)] = []
        for name in ["vip_address", "address"] {
            guard let text = env[name] else { continue }
            let list = text.split(separator: ",").map { String($0).trimmed }.filter { !$0.isEmpty }
            if addresses.isEmpty {
                addresses = list.map { ($0, name) }
            } else if addresses.map(\.0) != list {
                errors.append(ConfigError(.environment("address"), path: "",
                                          reason: "vip_address and address are both set, to different values ('\(env["vip_address"]!)' and '\(text)'); set one"))
            }
        }
        guard !addresses.isEmpty else { return nil }
        let items: [ConfigNode] = addresses.map { a, name in
            let at = ConfigLocation.environment(name)
            var entry: [(String, ConfigNode)] = [("address", b.plain(a, at: at))]
            if arp { entry.append(("mode", b.plain("arp", at: .environment("vip_arp")))) }
            if advertiseLeader { entry.append(("advertise", b.plain("leader", at: .environment("vip_leaderelection")))) }
            return b.map(entry, at: at)
        }
        return b.sequence(items, at: .environment(addresses[0].1))
    }

    private mutating func buildElection() -> ConfigNode? {
        let at = ConfigLocation.environment("vip_leaderelection")
        if let type = flags.leaderElectionType, type != "etcd" {
            errors.append(ConfigError(.flag("--leaderElectionType"), path: "election",
                                      reason: "'\(type)': vipd's only election backend is etcd (it has no Kubernetes Lease election yet); use --leaderElectionType=etcd with --etcdEndpoints"))
            return nil
        }
        var e: [(String, ConfigNode)] = [("backend", b.plain("etcd", at: at))]
        if !flags.etcdEndpoints.isEmpty {
            let fat = ConfigLocation.flag("--etcdEndpoints")
            e.append(("endpoints", b.sequence(flags.etcdEndpoints.map { b.plain($0, at: fat) }, at: fat)))
        }
        if let v = value("vip_leasename") { e.append(("name", v)) }
        if let v = value("vip_leaseduration") { e.append(("lease_ttl", v)) }
        var tls: [(String, ConfigNode)] = []
        for (key, v, name) in [("ca_file", flags.etcdCACert, "--etcdCACert"), ("cert_file", flags.etcdCert, "--etcdCert"),
                               ("key_file", flags.etcdKey, "--etcdKey")] {
            if let v { tls.append((key, b.plain(v, at: .flag(name)))) }
        }
        if !tls.isEmpty { e.append(("tls", b.map(tls, at: .flag("--etcdCACert")))) }
        return b.map(e, at: at)
    }

    /// `bgp_peers`, then the single `bgp_peeraddress` peer, as kube-vip appends it.
    private mutating func buildPeers() -> [ConfigNode] {
        var peers: [[(String, ConfigNode)]] = []
        if let text = env["bgp_peers"] {
            let at = ConfigLocation.environment("bgp_peers")
            for spec in text.split(separator: ",").map({ String($0).trimmed }) where !spec.isEmpty {
                guard let p = parsePeer(spec) else { continue }
                var entry: [(String, ConfigNode)] = [("address", b.plain(p.address, at: at)), ("asn", b.plain(p.asn, at: at))]
                if let pw = p.password { entry.append(("password", b.string(pw, at: at))) }
                if p.multihop { entry.append(("multihop", b.plain("50", at: at))) }
                peers.append(entry)
            }
        }
        if let address = value("bgp_peeraddress") {
            var entry: [(String, ConfigNode)] = [("address", address)]
            if let v = value("bgp_peeras") { entry.append(("asn", v)) }
            if let pw = env["bgp_peerpass"] { entry.append(("password", b.string(pw, at: .environment("bgp_peerpass")))) }
            if flag("bgp_multihop") { entry.append(("multihop", b.plain("50", at: .environment("bgp_multihop")))) }
            peers.append(entry)
        }
        for (name, key) in [("bgp_hold_time", "hold_time"), ("bgp_keepalive_interval", "keepalive")] {
            guard let v = value(name) else { continue }
            for i in peers.indices { peers[i].append((key, v)) }
        }
        // The source address goes to the peers of its own family, so that
        // one IPv4 bgp_sourceip does not break the IPv6 peers beside it.
        if let source = env["bgp_sourceip"] {
            let v: ConfigNode = b.plain(source, at: .environment("bgp_sourceip"))
            for i in peers.indices {
                guard let address = peers[i][0].1.scalarText else { continue }
                if address.contains(":") == source.contains(":") { peers[i].append(("source_address", v)) }
            }
        }
        return peers.map { entry in b.map(entry, at: entry[0].1.location) }
    }

    /// "addr:as[:password[:multihop]]", IPv6 as "[addr]:as...", as kube-vip's
    /// ParseBGPPeerConfig reads it.
    private mutating func parsePeer(_ spec: String) -> (address: String, asn: String, password: String?, multihop: Bool)? {
        func fail(_ why: String) {
            errors.append(ConfigError(.environment("bgp_peers"), path: "", reason: "'\(spec)': \(why)"))
        }
        var rest = Substring(spec)
        if let slash = rest.firstIndex(of: "/") {
            fail("peer options after '/' (\(rest[rest.index(after: slash)...])) are not supported")
            return nil
        }
        var address = ""
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                fail("no ']' closes the IPv6 address")
                return nil
            }
            address = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            guard rest.hasPrefix(":") else {
                fail("expected ':' and the AS number after the address")
                return nil
            }
            rest = rest.dropFirst()
        } else {
            guard let colon = rest.firstIndex(of: ":") else {
                fail("expected address:AS")
                return nil
            }
            address = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
        }
        let fields = rest.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let asn = fields.first, !asn.isEmpty else {
            fail("expected address:AS")
            return nil
        }
        guard fields.count <= 3 else {
            fail("expected at most address:AS:password:multihop")
            return nil
        }
        let password = fields.count >= 2 && !fields[1].isEmpty ? fields[1] : nil
        var multihop = false
        if fields.count == 3 {
            guard let m = Self.bool(fields[2]) else {
                fail("multihop must be true or false, not '\(fields[2])'")
                return nil
            }
            multihop = m
        }
        return (address, asn, password, multihop)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
