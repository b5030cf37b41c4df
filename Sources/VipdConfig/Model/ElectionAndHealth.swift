/// `election`: leader election on a real engine.
public struct ElectionConfig: Hashable, Sendable {
    /// `backend`. Default (and, until the Kubernetes Lease API, only) etcd.
    public var backend: Backend = .etcd
    /// `endpoints` (required, at least one): "http://host:port" or "https://host:port".
    public var endpoints: [String]
    /// `name`: the election's key prefix. Default vipd-control-plane.
    public var name: String = "vipd-control-plane"
    /// `lease_ttl`: seconds, 1-3600. Default 5, which is safe with etcd's
    /// default timings; 2 with a tuned etcd (interfaces.md).
    public var leaseTTL: UInt32 = 5
    /// `tls`: client certificates and CA. Default none.
    public var tls: TLS?

    public enum Backend: String, Hashable, Sendable, CaseIterable {
        case etcd
    }

    /// `election.tls`.
    public struct TLS: Hashable, Sendable {
        /// `ca_file`: the CA that signed etcd's server certificate. nil: the
        /// system's trust store.
        public var caFile: String?
        /// `cert_file` and `key_file`: the client certificate; both or neither.
        public var certFile: String?
        public var keyFile: String?
        public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    public init(endpoints: [String], name: String = "vipd-control-plane", leaseTTL: UInt32 = 5, tls: TLS? = nil) {
        self.endpoints = endpoints
        self.name = name
        self.leaseTTL = leaseTTL
        self.tls = tls
    }
}

/// The one health check schema, for the node check (`health`) and for IPVS
/// backends (`services[n].health`).
///
/// - The node check's target is `url` (http, https) or `target` (tcp).
/// - A backend check has neither: it probes the backend's address and port,
///   at `path` for http and https.
/// - `expect_status` applies to http and https, `ca_file` and
///   `insecure_skip_verify` to https only. Type `none` takes no other key.
public struct HealthCheck: Hashable, Sendable {
    /// `type` (required).
    public var type: Kind
    /// `url` (node, http/https): its scheme must be the check's type.
    public var url: String?
    /// `target` (node, tcp): "host:port" or "[v6]:port".
    public var target: HealthTarget?
    /// `path` (backend, http/https). Default "/".
    public var path: String?
    /// `interval`. Default 1 s.
    public var interval: Seconds = 1
    /// `timeout`: more than 0, at most `interval`. Default 0.5 s.
    public var timeout = Seconds(milliseconds: 500)
    /// `rise`: successes in a row to come up, 1-100. Default 2.
    public var rise: Int = 2
    /// `fall`: failures in a row to go down, 1-100. Default 2.
    public var fall: Int = 2
    /// `hold_down`: after a fall, stay down at least this long. Default 0
    /// (`rise` alone decides).
    public var holdDown: Seconds = 0
    /// `expect_status` (http, https): the answers that count as up, each
    /// 100-599. Default [200].
    public var expectStatus: [UInt16] = [200]
    /// `ca_file` (https). Default none: the system's trust store.
    public var caFile: String?
    /// `insecure_skip_verify` (https): do not check the certificate.
    /// Default false; true is refused together with `ca_file`.
    public var insecureSkipVerify = false

    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case tcp, http, https, none
    }

    public init(type: Kind) { self.type = type }

    /// What a service gets when it says nothing: a TCP connect to each
    /// backend with the default timings, which finds a dead backend within
    /// 2 s (fall 2 × interval 1 s). `type: none` turns it off.
    public static let defaultBackendCheck = HealthCheck(type: .tcp)
}

/// A tcp check's `target`: a host (address or name) and a port.
public struct HealthTarget: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses "host:port" or "[v6]:port"; the port must be 1-65535.
    init?(_ text: String) {
        if let s = SocketAddress(text) {
            self.init(host: s.address.description, port: s.port)
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let p = parseDecimal(parts[1]), p >= 1, p <= 65535,
              parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else { return nil }
        self.init(host: String(parts[0]), port: UInt16(p))
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
