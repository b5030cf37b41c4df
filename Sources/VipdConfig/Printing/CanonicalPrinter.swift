import BGPCodec

extension VipdConfig {
    /// The config as YAML in canonical form: every key in the order of
    /// interfaces.md, defaults written out, numbers and addresses in their
    /// canonical text (RFC 5952 for IPv6, "a:b" for communities). Parsing
    /// the text gives this value back.
    ///
    /// Left out are only keys whose absence means something no value says:
    /// node_name, router_id, interface (the host's defaults), asn, listen
    /// (active-only), election and health (none), and the optional values
    /// of peers, VIPs and policies (password, source_address, max_prefix,
    /// med, local_pref, ...). A key that does not apply to a VIP's mode or
    /// a check's type is not printed.
    public var canonicalYAML: String {
        var y = YAMLLines()
        if let v = nodeName { y.add(0, "node_name: \(YAMLText.scalar(v))") }
        if let v = routerID { y.add(0, "router_id: \(v)") }
        if let v = asn { y.add(0, "asn: \(v)") }
        y.add(0, "state_dir: \(YAMLText.scalar(stateDir))")
        y.add(0, "control: " + YAMLText.flowMap([("socket", YAMLText.scalar(control.socket, inFlow: true))]))
        y.add(0, "metrics: " + YAMLText.flowMap([("address", YAMLText.quoted(metrics.address.description))]))
        if let l = listen {
            y.add(0, "listen: " + YAMLText.flowMap([("address", addr(l.address, inFlow: true)), ("port", "\(l.port)")]))
        }
        if let v = interface { y.add(0, "interface: \(YAMLText.scalar(v))") }
        y.add(0, "bestpath: " + YAMLText.flowMap([
            ("always_compare_med", "\(bestpath.alwaysCompareMED)"), ("multipath", "\(bestpath.multipath)"),
        ]))
        section(&y, "peers", peers.map(Self.peerLines))
        section(&y, "policies", policies.map(Self.policyLines))
        section(&y, "vips", vips.map(Self.vipLines))
        y.add(0, "layer2:")
        y.add(2, "nodad: \(layer2.nodad)")
        y.add(2, "garp: " + YAMLText.flowMap([
            ("count", "\(layer2.garp.count)"), ("interval_ms", "\(layer2.garp.intervalMs)"), ("refresh_s", "\(layer2.garp.refreshS)"),
        ]))
        if let e = election {
            y.add(0, "election:")
            y.add(2, "backend: \(e.backend.rawValue)")
            y.add(2, "endpoints: " + YAMLText.flowList(e.endpoints.map(YAMLText.quoted)))
            y.add(2, "name: \(YAMLText.scalar(e.name))")
            y.add(2, "lease_ttl: \(e.leaseTTL)")
            if let t = e.tls {
                let pairs = [("ca_file", t.caFile), ("cert_file", t.certFile), ("key_file", t.keyFile)]
                    .compactMap { k, v in v.map { (k, YAMLText.scalar($0, inFlow: true)) } }
                y.add(2, "tls: " + YAMLText.flowMap(pairs))
            }
        }
        if let h = health {
            y.add(0, "health:")
            for (k, v) in Self.healthPairs(h, inFlow: false) { y.add(2, "\(k): \(v)") }
        }
        y.add(0, "drain: " + YAMLText.flowMap([("wait", "\(drain.wait)"), ("on_sigterm", "\(drain.onSigterm)")]))
        y.add(0, "fib: " + YAMLText.flowMap([
            ("install", "\(fib.install)"), ("table", "\(fib.table)"), ("protocol", "\(fib.routeProtocol)"), ("metric", "\(fib.metric)"),
        ]))
        y.add(0, "routing_table: " + YAMLText.flowMap([
            ("table", "\(routingTable.table)"), ("protocol", "\(routingTable.routeProtocol)"),
        ]))
        section(&y, "services", services.map(Self.serviceLines))
        y.add(0, "ipvs: " + YAMLText.flowMap([("keep_on_exit", "\(ipvs.keepOnExit)")]))
        y.add(0, "real_server: " + YAMLText.flowMap([
            ("addresses", YAMLText.flowList(realServer.addresses.map { addr($0, inFlow: true) })),
        ]))
        return y.text
    }

    private func section(_ y: inout YAMLLines, _ key: String, _ items: [[String]]) {
        if items.isEmpty {
            y.add(0, "\(key): []")
            return
        }
        y.add(0, "\(key):")
        for body in items { y.item(2, body) }
    }

    private static func peerLines(_ p: PeerConfig) -> [String] {
        var l = ["address: \(addr(p.address))", "asn: \(p.asn)", "port: \(p.port)", "passive: \(p.passive)"]
        if let pw = p.password { l.append("password: \(YAMLText.quoted(pw))") }
        l += [
            "ttl_security: \(p.ttlSecurity)", "multihop: \(p.multihop)", "hold_time: \(p.holdTime)", "keepalive: \(p.keepalive)",
            "families: " + YAMLText.flowList(p.families.map(FamilyName.name)),
            "graceful_restart: " + YAMLText.flowMap([
                ("enabled", "\(p.gracefulRestart.enabled)"), ("restart_time", "\(p.gracefulRestart.restartTime)"),
            ]),
        ]
        if let s = p.sourceAddress { l.append("source_address: \(addr(s))") }
        l.append("import: \(YAMLText.scalar(p.importPolicy.description))")
        l.append("export: \(YAMLText.scalar(p.exportPolicy.description))")
        if let m = p.maxPrefix {
            l.append("max_prefix: " + YAMLText.flowMap([
                ("limit", "\(m.limit)"), ("warning_percent", "\(m.warningPercent)"),
                ("action", m.action.rawValue), ("restart_after", "\(m.restartAfter)"),
            ]))
        }
        l.append("mrai: \(p.mrai)")
        return l
    }

    private static func policyLines(_ p: Policy) -> [String] {
        var l = ["name: \(YAMLText.scalar(p.name))"]
        if p.rules.isEmpty {
            l.append("rules: []")
            return l
        }
        l.append("rules:")
        for r in p.rules {
            var match: [(String, String)] = []
            if let list = r.match.prefixList {
                match.append(("prefix_list", YAMLText.flowList(list.map { YAMLText.quoted($0.description) })))
            }
            if let c = r.match.community { match.append(("community", YAMLText.quoted(c.description))) }
            if let a = r.match.asPath { match.append(("as_path", YAMLText.quoted(a))) }
            var action: [(String, String)] = [("accept", "\(r.action.accept)")]
            if let v = r.action.localPref { action.append(("local_pref", "\(v)")) }
            if let v = r.action.med { action.append(("med", "\(v)")) }
            if r.action.accept {
                action.append(("add_communities", YAMLText.flowList(r.action.addCommunities.map { YAMLText.quoted($0.description) })))
            }
            l.append("  - match: " + YAMLText.flowMap(match))
            l.append("    action: " + YAMLText.flowMap(action))
        }
        return l
    }

    private static func vipLines(_ v: VIPConfig) -> [String] {
        var l = ["address: \(addr(v.address))", "mode: \(v.mode.rawValue)"]
        switch v.mode {
        case .bgp:
            l.append("communities: " + YAMLText.flowList(v.communities.map { YAMLText.quoted($0.description) }))
            l.append("large_communities: " + YAMLText.flowList(v.largeCommunities.map { YAMLText.quoted($0.description) }))
            if let m = v.med { l.append("med: \(m)") }
            if let m = v.localPref { l.append("local_pref: \(m)") }
            l.append("as_path_prepend: \(v.asPathPrepend)")
            l.append("local: \(v.local)")
            l.append("advertise: \(v.advertise.rawValue)")
            if v.advertise == .leader { l.append("standby_prepend: \(v.standbyPrepend)") }
        case .table:
            l.append("local: \(v.local)")
        case .arp:
            l.append("elected: \(v.elected)")
        }
        l.append("health: \(v.health)")
        return l
    }

    private static func serviceLines(_ s: ServiceConfig) -> [String] {
        var l: [String]
        switch s.frontend {
        case .address(let a, let port):
            l = ["vip: \(addr(a))", "port: \(port)", "protocol: \(s.serviceProtocol.rawValue)"]
        case .fwmark(let m):
            l = ["fwmark: \(m)"]
        }
        l += [
            "scheduler: \(s.scheduler.rawValue)", "forwarding: \(s.forwarding.rawValue)",
            "persistence: \(s.persistence)", "on_failure: \(s.onFailure.rawValue)",
            "health: " + YAMLText.flowMap(healthPairs(s.health, inFlow: true)),
        ]
        if s.backends.isEmpty {
            l.append("backends: []")
        } else {
            l.append("backends:")
            for b in s.backends {
                var pairs = [("address", addr(b.address, inFlow: true))]
                if let p = b.port { pairs.append(("port", "\(p)")) }
                pairs.append(("weight", "\(b.weight)"))
                if let f = b.forwarding { pairs.append(("forwarding", f.rawValue)) }
                l.append("  - " + YAMLText.flowMap(pairs))
            }
        }
        return l
    }

    private static func healthPairs(_ h: HealthCheck, inFlow: Bool) -> [(String, String)] {
        var p = [("type", h.type.rawValue)]
        if h.type == .none { return p }
        if let u = h.url { p.append(("url", YAMLText.scalar(u, inFlow: inFlow))) }
        if let t = h.target { p.append(("target", YAMLText.quoted(t.description))) }
        if let path = h.path { p.append(("path", YAMLText.scalar(path, inFlow: inFlow))) }
        p += [
            ("interval", "\(h.interval)"), ("timeout", "\(h.timeout)"), ("rise", "\(h.rise)"),
            ("fall", "\(h.fall)"), ("hold_down", "\(h.holdDown)"),
        ]
        if h.type == .http || h.type == .https {
            p.append(("expect_status", YAMLText.flowList(h.expectStatus.map { "\($0)" })))
        }
        if h.type == .https {
            if let ca = h.caFile { p.append(("ca_file", YAMLText.scalar(ca, inFlow: inFlow))) }
            p.append(("insecure_skip_verify", "\(h.insecureSkipVerify)"))
        }
        return p
    }
}

/// An address as YAML: plain where that reads back ("10.0.0.1",
/// "fd00:1::100"), quoted where it would not ("::", or any IPv6 address
/// inside a flow collection).
private func addr(_ a: IPAddress, inFlow: Bool = false) -> String {
    YAMLText.scalar(a.description, inFlow: inFlow)
}
