/// Reads `services` (IPVS).
struct ServiceReader {
    let diag: Diagnostics

    static let keys = [
        "vip", "port", "fwmark", "protocol", "scheduler", "forwarding", "persistence", "on_failure", "backends", "health",
    ]

    func decodeAll(_ f: Fields) -> [ServiceConfig] {
        guard let items = f.list("services") else { return [] }
        var out: [ServiceConfig] = []
        var seen: [String: ConfigPath] = [:]
        for (n, p) in items {
            guard let s = decode(n, path: p) else { continue }
            // A service is its frontend and protocol; a fwmark one is its
            // mark and family.
            let key: String
            switch s.frontend {
            case .address: key = "\(s.frontend) \(s.serviceProtocol.rawValue)"
            case .fwmark: key = "\(s.frontend) \(s.backends.first?.address.isIPv4 == false ? "ipv6" : "ipv4")"
            }
            if let first = seen[key] {
                diag.add(n.location, p, "service \(key) is already \(first)")
                continue
            }
            seen[key] = p
            out.append(s)
        }
        return out
    }

    func decode(_ node: ConfigNode, path: ConfigPath) -> ServiceConfig? {
        guard let f = Fields(node, path: path, diag: diag, allowed: Self.keys) else { return nil }
        var frontend: ServiceConfig.Frontend?
        if f.has("fwmark") {
            for key in ["vip", "port", "protocol"] where f.has(key) {
                f.fail(key, "a fwmark service has no \(key): the mark selects the packets")
            }
            if let m: UInt32 = f.int("fwmark", 1...UInt32.max) { frontend = .fwmark(m) }
        } else {
            let vip = f.address("vip")
            if let vip, vip.isUnspecified || vip.isMulticast || vip.isBroadcast {
                f.fail("vip", "\(vip) cannot be a virtual service address")
            }
            if !f.has("vip") { f.missing("vip", "required (or fwmark)") }
            let port: UInt16? = f.int("port", 1...65535)
            if !f.has("port") { f.missing("port", "required with vip") }
            if let vip, let port, !(vip.isUnspecified || vip.isMulticast || vip.isBroadcast) {
                frontend = .address(vip, port: port)
            }
        }
        var s = ServiceConfig(frontend: frontend ?? .fwmark(1))
        if let v = f.choice("protocol", ServiceProtocol.self) { s.serviceProtocol = v }
        if let v = f.choice("scheduler", Scheduler.self) { s.scheduler = v }
        if let v = f.choice("forwarding", Forwarding.self) { s.forwarding = v }
        if let v: UInt32 = f.int("persistence", 0...2_678_400) { s.persistence = v }
        if let v = f.choice("on_failure", OnFailure.self) { s.onFailure = v }
        if let n = f.node("health"), let h = HealthReader(diag: diag, context: .backend).decode(n, path: path.child("health")) {
            s.health = h
        }
        s.backends = decodeBackends(f, frontend: frontend, health: s.health)
        guard frontend != nil else { return nil }
        return s
    }

    private func decodeBackends(_ f: Fields, frontend: ServiceConfig.Frontend?, health: HealthCheck) -> [ServiceConfig.Backend] {
        var out: [ServiceConfig.Backend] = []
        // By value, not by its text: the same test (the text is the
        // address's canonical form), without printing every backend.
        let items = f.list("backends") ?? .empty
        var seen = SeenBackends(expected: items.count)
        out.reserveCapacity(items.count)
        var family: (ipv4: Bool, path: ConfigPath)?
        if case .address(let a, _) = frontend { family = (a.isIPv4, f.path.child("vip")) }
        for (n, p) in items {
            guard let b = Fields(n, path: p, diag: diag, allowed: ["address", "port", "weight", "forwarding"]) else { continue }
            let address = b.address("address")
            if address == nil, !b.has("address") { b.missing("address") }
            var port: UInt16? = b.int("port", 1...65535)
            if port == nil, !b.has("port") {
                switch frontend {
                case .address(_, let p): port = p
                case .fwmark, nil:
                    if health.type == .tcp || health.type == .http || health.type == .https {
                        b.missing("port", "required for a \(health.type.rawValue) health check on a fwmark service (or health: {type: none})")
                    }
                }
            }
            let weight: UInt32 = b.int("weight", 0...65535) ?? 1
            let forwarding = b.choice("forwarding", Forwarding.self)
            guard let address else { continue }
            if address.isUnspecified || address.isMulticast || address.isBroadcast {
                b.fail("address", "\(address) cannot be a backend")
                continue
            }
            if let fam = family, fam.ipv4 != address.isIPv4 {
                b.fail("address", "\(address) is not of the service's family (\(fam.path))")
                continue
            }
            if family == nil { family = (address.isIPv4, p.child("address")) }
            let key = SocketAddress(address, port: port ?? 0)
            if let first = seen.path(of: key) {
                b.fail("address", "backend \(key) is already \(first)")
                continue
            }
            seen.add(key, p)
            out.append(ServiceConfig.Backend(address: address, port: port, weight: weight, forwarding: forwarding))
        }
        return out
    }
}

/// The backends of one service read so far, to find one listed twice.
/// A service has a handful: they are compared in turn, which costs less
/// than hashing each (10,000 backends hashed twice each were a tenth of
/// reading a large config); past 16 a dictionary takes over.
private struct SeenBackends {
    private var few: [(key: SocketAddress, path: ConfigPath)] = []
    private var many: [SocketAddress: ConfigPath]?

    init(expected n: Int) { few.reserveCapacity(min(n, 16)) }

    func path(of key: SocketAddress) -> ConfigPath? {
        if let many { return many[key] }
        return few.first { $0.key == key }?.path
    }

    mutating func add(_ key: SocketAddress, _ path: ConfigPath) {
        if many != nil {
            many![key] = path
        } else if few.count < 16 {
            few.append((key, path))
        } else {
            many = Dictionary(few.map { ($0.key, $0.path) }, uniquingKeysWith: { first, _ in first })
            many![key] = path
        }
    }
}
