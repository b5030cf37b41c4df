/// kube-vip's command-line flags for its etcd election, which vipd accepts
/// as they are (interfaces.md): `--leaderElectionType=etcd`,
/// `--etcdEndpoints`, `--etcdCACert`, `--etcdCert`, `--etcdKey`.
public struct KubeVipFlags: Hashable, Sendable {
    public var leaderElectionType: String?
    /// `--etcdEndpoints`, split at commas.
    public var etcdEndpoints: [String] = []
    public var etcdCACert: String?
    public var etcdCert: String?
    public var etcdKey: String?

    public init(leaderElectionType: String? = nil, etcdEndpoints: [String] = [], etcdCACert: String? = nil,
                etcdCert: String? = nil, etcdKey: String? = nil) {
        self.leaderElectionType = leaderElectionType
        self.etcdEndpoints = etcdEndpoints
        self.etcdCACert = etcdCACert
        self.etcdCert = etcdCert
        self.etcdKey = etcdKey
    }
}

/// kube-vip's environment variables, read so that kube-vip users can switch
/// without rewriting their manifests. vipd always reads them, and the
/// file's keys override them (`VipdConfig.load`).
///
/// The mapping (docs/kube-vip.md gives it to users):
/// - `vip_address`, `address` (comma-separated for several): `vips`. Both
///   may be set only to the same value.
/// - `vip_arp=true`: those VIPs get `mode: arp`; `bgp_enable=true`: `mode:
///   bgp`. Both true is refused.
/// - `vip_interface`: `interface`.
/// - `cp_enable=true`: the control-plane profile: `health` becomes an https
///   check of `https://127.0.0.1:PORT/readyz` against kubeadm's CA
///   (/etc/kubernetes/pki/ca.crt), PORT being `port` (default 6443).
/// - `vip_leaderelection=true`: an etcd `election` named `vip_leasename`,
///   with `lease_ttl` from `vip_leaseduration` and endpoints and TLS from
///   the flags; with `bgp_enable=true` the VIPs also get `advertise:
///   leader`. Without etcd endpoints (flags or file) it is refused, naming
///   what to add: vipd has no Kubernetes Lease election.
///   `vip_renewdeadline` and `vip_retryperiod` have no etcd equivalent (the
///   lease's keep-alives run at TTL/3) and are ignored.
/// - With `bgp_enable=true`: `bgp_as` is `asn`, `bgp_routerid` `router_id`;
///   `bgp_peers` (`addr:as:password:multihop`, IPv6 in brackets, comma
///   separated) and `bgp_peeraddress` with `bgp_peeras`, `bgp_peerpass` and
///   `bgp_multihop` make `peers`. `bgp_hold_time` and
///   `bgp_keepalive_interval` apply to each of them, and `bgp_sourceip` to
///   each of its own address family (an IPv4 source on an IPv6 session
///   would only fail). kube-vip's multihop is a boolean for GoBGP's eBGP
///   multihop with TTL 50, so true is `multihop: 50`.
///   Without `bgp_enable=true` the bgp_ variables are ignored, as kube-vip
///   ignores them.
public enum KubeVip {
    /// Every variable read, as interfaces.md lists them.
    public static let variables = [
        "vip_address", "address", "port",
        "vip_arp", "vip_interface", "cp_enable",
        "vip_leaderelection", "vip_leasename", "vip_leaseduration", "vip_renewdeadline", "vip_retryperiod",
        "bgp_enable", "bgp_as", "bgp_routerid", "bgp_peers", "bgp_peeraddress", "bgp_peeras", "bgp_peerpass",
        "bgp_multihop", "bgp_hold_time", "bgp_keepalive_interval", "bgp_sourceip",
    ]

    /// The config the variables and flags imply, with defaults for the rest.
    public static func config(environment: [String: String], flags: KubeVipFlags = KubeVipFlags()) throws(ConfigErrors) -> VipdConfig {
        try document(environment: environment, flags: flags).decode()
    }

    /// The variables and flags as a document, to lay a file over. Errors in
    /// kube-vip's own syntax (a boolean that is not one, a malformed
    /// bgp_peers) are thrown here. Values are checked by `decode()` like the
    /// file's, and their errors name the variable.
    public static func document(environment env: [String: String], flags: KubeVipFlags = KubeVipFlags()) throws(ConfigErrors) -> ConfigDocument {
        let (document, errors) = read(environment: env, flags: flags)
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return document
    }

    /// The document, made of what could be read, and the errors.
    static func read(environment env: [String: String], flags: KubeVipFlags) -> (ConfigDocument, [ConfigError]) {
        var reader = EnvironmentReader(env: env, flags: flags)
        let root = reader.build()
        return (reader.b.document(root), reader.errors)
    }

    /// The variables that are set but change nothing, with why, for the
    /// daemon to log.
    public static func ignored(environment env: [String: String], flags: KubeVipFlags = KubeVipFlags()) -> [String] {
        var out: [String] = []
        let bgp = EnvironmentReader.bool(env["bgp_enable"]) == true
        let election = EnvironmentReader.bool(env["vip_leaderelection"]) == true
        for name in ["vip_renewdeadline", "vip_retryperiod"] where env[name] != nil {
            out.append("\(name): etcd leases have no equivalent; keep-alives run at lease_ttl/3")
        }
        if env["port"] != nil, EnvironmentReader.bool(env["cp_enable"]) != true {
            out.append("port: used only with cp_enable=true, for the API server health check")
        }
        if !election {
            for name in ["vip_leasename", "vip_leaseduration"] where env[name] != nil {
                out.append("\(name): used only with vip_leaderelection=true")
            }
            if flags.leaderElectionType != nil || !flags.etcdEndpoints.isEmpty {
                out.append("etcd flags: used only with vip_leaderelection=true")
            }
        }
        if !bgp {
            for name in variables where name.hasPrefix("bgp_") && name != "bgp_enable" && env[name] != nil {
                out.append("\(name): used only with bgp_enable=true")
            }
        }
        return out
    }
}

extension VipdConfig {
    /// The config vipd runs: kube-vip's variables and flags, with the file's
    /// keys over them (`ConfigDocument.overlaid(by:)`). Errors in the
    /// environment and in the file are reported together.
    public static func load(yaml: String, environment: [String: String] = [:],
                            flags: KubeVipFlags = KubeVipFlags()) throws(ConfigErrors) -> VipdConfig {
        var (base, errors) = KubeVip.read(environment: environment, flags: flags)
        do {
            let file = try ConfigDocument.parse(yaml: yaml)
            base = base.overlaid(by: file)
        } catch {
            // Without the file's tree there is nothing sensible to check.
            throw ConfigErrors(errors + error.errors)
        }
        let config: VipdConfig
        do {
            config = try base.decode()
        } catch {
            throw ConfigErrors(errors + error.errors)
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return config
    }

    /// The file alone, without the environment.
    public static func parse(yaml: String) throws(ConfigErrors) -> VipdConfig {
        try ConfigDocument.parse(yaml: yaml).decode()
    }
}
