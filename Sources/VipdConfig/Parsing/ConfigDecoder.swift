import BGPCodec

/// Checks a document against the schema and builds a `VipdConfig`.
/// Sections are read in an order that lets later ones check against earlier
/// ones: the local AS and policies before peers, election and health
/// before VIPs.
struct ConfigDecoder {
    let diag: Diagnostics

    static let topKeys = [
        "node_name", "router_id", "asn", "state_dir", "control", "metrics", "listen", "interface",
        "bestpath", "peers", "policies", "vips", "layer2", "election", "health", "drain", "fib",
        "routing_table", "services", "ipvs", "real_server",
    ]

    func decode(_ root: ConfigNode) -> VipdConfig {
        var c = VipdConfig()
        guard let f = Fields(root, path: .root, diag: diag, allowed: Self.topKeys) else { return c }

        if let name = f.string("node_name") {
            if name.isEmpty || name.utf8.count > 253 || name.contains(where: \.isWhitespace) {
                f.fail("node_name", "'\(name)' is not a node name (1-253 characters, no spaces)")
            } else {
                c.nodeName = name
            }
        }
        if let id = f.address("router_id") {
            switch id {
            case .v6: f.fail("router_id", "a BGP identifier is an IPv4 address (RFC 4271 §4.2), not \(id)")
            case .v4(let a) where a.value == 0: f.fail("router_id", "0.0.0.0 is not a valid BGP identifier (RFC 6286)")
            case .v4(let a): c.routerID = a
            }
        }
        c.asn = asNumber(f, "asn")
        if let dir = f.filePath("state_dir") { c.stateDir = dir }
        if let g = f.mapping("control", allowed: ["socket"]), let s = g.filePath("socket") { c.control.socket = s }
        if let g = f.mapping("metrics", allowed: ["address"]), let n = g.node("address"),
           let text = readString(n, path: g.path.child("address"), diag: diag) {
            if let a = SocketAddress(text) {
                c.metrics.address = a
            } else {
                g.fail("address", "'\(text)' is not address:port (\"127.0.0.1:2112\", \"[::1]:2112\")")
            }
        }
        if f.has("listen"), let g = f.mapping("listen", allowed: ["address", "port"]) {
            var l = ListenConfig()
            if let a = g.address("address") {
                if a.isMulticast || a.isBroadcast { g.fail("address", "\(a) cannot be listened on") } else { l.address = a }
            }
            if let p: UInt16 = g.int("port", 1...65535) { l.port = p }
            c.listen = l
        }
        if let name = f.string("interface") {
            if name.isEmpty || name.utf8.count > 15 || name == "." || name == ".."
                || name.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace }) {
                f.fail("interface", "'\(name)' is not an interface name (1-15 characters, no '/', ':' or spaces)")
            } else {
                c.interface = name
            }
        }
        if let g = f.mapping("bestpath", allowed: ["always_compare_med", "multipath"]) {
            if let v = g.bool("always_compare_med") { c.bestpath.alwaysCompareMED = v }
            if let v = g.bool("multipath") { c.bestpath.multipath = v }
        }

        c.policies = decodePolicies(f)
        if let g = f.mapping("election", allowed: ElectionReader.keys) { c.election = ElectionReader(diag: diag).decode(g) }
        if let n = f.node("health") { c.health = HealthReader(diag: diag, context: .node).decode(n, path: f.path.child("health")) }
        c.peers = PeerReader(diag: diag, localASN: c.asn, policies: Set(c.policies.map(\.name)), listen: c.listen != nil)
            .decodeAll(f)
        // Counted from the file's list, so that peers with errors of their
        // own still make a missing asn an error.
        if let n = f.node("peers")?.itemCount, n > 0, c.asn == nil, !f.has("asn") {
            diag.add(f.location(of: "peers"), f.path.child("asn"), "required when peers are set (our AS number)")
        }
        c.vips = VIPReader(diag: diag, election: c.election != nil, health: c.health != nil).decodeAll(f)

        if let g = f.mapping("layer2", allowed: ["nodad", "garp"]) {
            if let v = g.bool("nodad") { c.layer2.nodad = v }
            if let h = g.mapping("garp", allowed: ["count", "interval_ms", "refresh_s"]) {
                if let v: UInt32 = h.int("count", 1...100) { c.layer2.garp.count = Int(v) }
                if let v: UInt32 = h.int("interval_ms", 0...10_000) { c.layer2.garp.intervalMs = Int(v) }
                if let v: UInt32 = h.int("refresh_s", 0...86_400) { c.layer2.garp.refreshS = Int(v) }
            }
        }
        if let g = f.mapping("drain", allowed: ["wait", "on_sigterm"]) {
            if let v = g.seconds("wait", 0...3600) { c.drain.wait = v }
            if let v = g.bool("on_sigterm") { c.drain.onSigterm = v }
        }
        if let g = f.mapping("fib", allowed: ["install", "table", "protocol", "metric"]) {
            if let v = g.bool("install") { c.fib.install = v }
            if let v = kernelTable(g) { c.fib.table = v }
            if let v = routeProtocol(g) { c.fib.routeProtocol = v }
            if let v: UInt32 = g.int("metric", 0...UInt32.max) { c.fib.metric = v }
        }
        if let g = f.mapping("routing_table", allowed: ["table", "protocol"]) {
            if let v = kernelTable(g) { c.routingTable.table = v }
            if let v = routeProtocol(g) { c.routingTable.routeProtocol = v }
        }
        if c.fib.install, c.fib.table == c.routingTable.table, c.fib.routeProtocol == c.routingTable.routeProtocol {
            diag.add(f.location(of: "fib"), f.path.child("fib"),
                     "FIB routes and routing_table VIPs would share table \(c.fib.table) and protocol \(c.fib.routeProtocol), and vipd could not tell its entries apart; change one of them")
        }
        c.services = ServiceReader(diag: diag).decodeAll(f)
        if let g = f.mapping("ipvs", allowed: ["keep_on_exit"]), let v = g.bool("keep_on_exit") { c.ipvs.keepOnExit = v }
        if let g = f.mapping("real_server", allowed: ["addresses"]), let items = g.list("addresses") {
            var seen: [IPAddress: ConfigPath] = [:]
            for (n, p) in items {
                guard let a = readAddress(n, path: p, diag: diag) else { continue }
                if a.isUnspecified || a.isMulticast || a.isBroadcast {
                    diag.add(n.location, p, "\(a) cannot be a virtual address")
                } else if let first = seen[a] {
                    diag.add(n.location, p, "\(a) is already \(first)")
                } else {
                    seen[a] = p
                    c.realServer.addresses.append(a)
                }
            }
        }
        return c
    }

    /// `asn` of ours or of a peer: 1-4294967295, not AS_TRANS.
    func asNumber(_ f: Fields, _ key: String) -> UInt32? {
        guard let v: UInt32 = f.int(key, 0...UInt32.max) else { return nil }
        if v == 0 {
            f.fail(key, "AS 0 is reserved and cannot be used (RFC 7607)")
            return nil
        }
        if v == 23456 {
            f.fail(key, "AS 23456 is AS_TRANS, which no speaker may use as its AS (RFC 6793)")
            return nil
        }
        return v
    }

    /// A kernel routing table: 1-4294967295, not 255 (local).
    func kernelTable(_ g: Fields) -> UInt32? {
        guard let v: UInt32 = g.int("table", 1...UInt32.max) else { return nil }
        if v == 255 {
            g.fail("table", "table 255 is the kernel's local table")
            return nil
        }
        return v
    }

    /// A route protocol id: 4-255 (0-3 are unspec, redirect, kernel and boot).
    func routeProtocol(_ g: Fields) -> UInt8? {
        guard let v: UInt8 = g.int("protocol", 0...255) else { return nil }
        if v < 4 {
            g.fail("protocol", "protocol \(v) is the kernel's own (0-3: unspec, redirect, kernel, boot); use 4-255")
            return nil
        }
        return v
    }

    func decodePolicies(_ f: Fields) -> [Policy] {
        guard let items = f.list("policies") else { return [] }
        let reader = PolicyReader(diag: diag)
        var out: [Policy] = []
        var seen: [String: ConfigPath] = [:]
        for (n, p) in items {
            guard let policy = reader.decode(n, path: p) else { continue }
            if let first = seen[policy.name] {
                diag.add(n.location, p.child("name"), "a policy named '\(policy.name)' is already \(first)")
                continue
            }
            seen[policy.name] = p
            out.append(policy)
        }
        return out
    }
}

/// Names of policies and elections: letters, digits, '-', '_', '.', '/'.
func isPlainName(_ s: String) -> Bool {
    !s.isEmpty && s.utf8.count <= 128
        && s.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "-_./".unicodeScalars.contains($0) }
}
