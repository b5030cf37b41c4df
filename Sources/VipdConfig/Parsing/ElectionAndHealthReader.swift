/// Reads `election`.
struct ElectionReader {
    let diag: Diagnostics

    static let keys = ["backend", "endpoints", "name", "lease_ttl", "tls"]

    func decode(_ f: Fields) -> ElectionConfig {
        var e = ElectionConfig(endpoints: [])
        if let v = f.choice("backend", ElectionConfig.Backend.self) { e.backend = v }
        if let items = f.list("endpoints") {
            for (n, p) in items {
                guard let url = readString(n, path: p, diag: diag) else { continue }
                if !isEndpoint(url) {
                    diag.add(n.location, p, "'\(url)' is not an etcd endpoint (http://host:port or https://host:port)")
                } else if e.endpoints.contains(url) {
                    diag.add(n.location, p, "\(url) is listed twice")
                } else {
                    e.endpoints.append(url)
                }
            }
            if items.isEmpty { f.fail("endpoints", "at least one etcd endpoint is needed") }
        } else if !f.has("endpoints") {
            if case .environment(let variable) = f.location {
                f.missing("endpoints", "required: kube-vip's \(variable)=true maps to an etcd election, and kube-vip's default (a Kubernetes Lease) is not available; give --leaderElectionType=etcd --etcdEndpoints=URL (with --etcdCACert, --etcdCert and --etcdKey for a TLS etcd), or election.endpoints in the config file")
            } else {
                f.missing("endpoints", "required (the etcd cluster's client URLs)")
            }
        }
        if let n = f.string("name") {
            if isPlainName(n) { e.name = n } else { f.fail("name", "'\(n)' is not an election name (letters, digits, '-', '_', '.', '/')") }
        }
        if let v: UInt32 = f.int("lease_ttl", 1...3600) { e.leaseTTL = v }
        if let g = f.mapping("tls", allowed: ["ca_file", "cert_file", "key_file"]) {
            let tls = ElectionConfig.TLS(caFile: g.filePath("ca_file"), certFile: g.filePath("cert_file"), keyFile: g.filePath("key_file"))
            if g.has("cert_file") != g.has("key_file") {
                g.fail(g.has("cert_file") ? "cert_file" : "key_file", "cert_file and key_file go together (a client certificate and its key)")
            }
            e.tls = tls
        }
        return e
    }

    private func isEndpoint(_ url: String) -> Bool {
        for scheme in ["http://", "https://"] where url.hasPrefix(scheme) {
            let rest = url.dropFirst(scheme.count)
            return !rest.isEmpty && !rest.hasPrefix("/") && !rest.hasPrefix(":") && !rest.contains(where: \.isWhitespace)
        }
        return false
    }
}

/// Reads the one health check schema, for the node or for IPVS backends.
struct HealthReader {
    enum Context { case node, backend }

    let diag: Diagnostics
    let context: Context

    static let keys = [
        "type", "url", "target", "path", "interval", "timeout", "rise", "fall", "hold_down",
        "expect_status", "ca_file", "insecure_skip_verify",
    ]

    func decode(_ node: ConfigNode, path: ConfigPath) -> HealthCheck? {
        guard let f = Fields(node, path: path, diag: diag, allowed: Self.keys) else { return nil }
        guard let type = f.choice("type", HealthCheck.Kind.self) else {
            if !f.has("type") { f.missing("type", "required (tcp, http, https or none)") }
            return nil
        }
        var h = HealthCheck(type: type)
        let web = type == .http || type == .https

        // Which keys this type and context take.
        var allowed: Set<String> = type == .none ? [] : ["interval", "timeout", "rise", "fall", "hold_down"]
        if web { allowed.formUnion(["expect_status", context == .node ? "url" : "path"]) }
        if type == .tcp, context == .node { allowed.insert("target") }
        if type == .https { allowed.formUnion(["ca_file", "insecure_skip_verify"]) }
        for key in Self.keys where key != "type" && f.has(key) && !allowed.contains(key) {
            f.fail(key, misplaced(key, type))
        }

        if context == .node, type == .tcp {
            if let t = f.string("target") {
                if let target = HealthTarget(t) { h.target = target } else { f.fail("target", "'\(t)' is not host:port") }
            } else if !f.has("target") {
                f.missing("target", "required for a tcp check (host:port)")
            }
        }
        if context == .node, web {
            if let u = f.string("url") {
                let scheme = "\(type.rawValue)://"
                if u.hasPrefix(scheme), u.count > scheme.count, !u.contains(where: \.isWhitespace) {
                    h.url = u
                } else {
                    f.fail("url", "'\(u)' is not an \(scheme) URL (a \(type.rawValue) check's url must use its scheme)")
                }
            } else if !f.has("url") {
                f.missing("url", "required for an \(type.rawValue) check")
            }
        }
        if context == .backend, web {
            h.path = "/"
            if let p = f.string("path") {
                if p.hasPrefix("/"), !p.contains(where: \.isWhitespace) { h.path = p } else { f.fail("path", "'\(p)' is not a URL path (it starts with /)") }
            }
        }
        if type == .none { return h }

        if let v = f.seconds("interval", Seconds(milliseconds: 1)...Seconds.seconds(3600)) { h.interval = v }
        if let v = f.seconds("timeout", Seconds(milliseconds: 1)...Seconds.seconds(3600)) {
            if v > h.interval {
                f.fail("timeout", "\(v) is longer than interval \(h.interval): a check would still be running when the next starts")
            } else {
                h.timeout = v
            }
        } else if h.timeout > h.interval {
            h.timeout = h.interval
        }
        if let v: UInt32 = f.int("rise", 1...100) { h.rise = Int(v) }
        if let v: UInt32 = f.int("fall", 1...100) { h.fall = Int(v) }
        if let v = f.seconds("hold_down", 0...Seconds.seconds(86_400)) { h.holdDown = v }
        if web, let items = f.list("expect_status") {
            var codes: [UInt16] = []
            for (n, p) in items {
                guard let c: UInt16 = readInt(n, path: p, 100...599, diag: diag) else { continue }
                if codes.contains(c) { diag.add(n.location, p, "\(c) is listed twice") } else { codes.append(c) }
            }
            if items.isEmpty { f.fail("expect_status", "at least one status is needed") }
            if !codes.isEmpty { h.expectStatus = codes }
        }
        if type == .https {
            h.caFile = f.filePath("ca_file")
            if let v = f.bool("insecure_skip_verify") {
                h.insecureSkipVerify = v
                if v, f.has("ca_file") {
                    f.fail("insecure_skip_verify", "insecure_skip_verify: true and ca_file exclude each other: either check the certificate against the CA or not at all")
                }
            }
        }
        return h
    }

    private func misplaced(_ key: String, _ type: HealthCheck.Kind) -> String {
        if type == .none { return "a check of type none takes no other key" }
        switch (key, context) {
        case ("url", .backend), ("target", .backend):
            return "a backend check probes the backend's own address and port; it takes path (http, https), not \(key)"
        case ("path", .node):
            return "the node check takes url (http, https) or target (tcp), not path"
        case ("url", .node):
            return "url is for http and https checks; a tcp check takes target"
        case ("target", .node):
            return "target is for tcp checks; an \(type.rawValue) check takes url"
        case ("path", .backend):
            return "path is for http and https checks"
        case ("ca_file", _), ("insecure_skip_verify", _):
            return "\(key) applies to https checks only"
        case ("expect_status", _):
            return "expect_status applies to http and https checks only"
        default:
            return "does not apply to a \(type.rawValue) check"
        }
    }
}
