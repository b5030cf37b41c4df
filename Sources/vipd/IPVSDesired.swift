import BGPCodec
import IPVS
import VipdConfig

/// One backend of one service: the key of its health check and of a
/// runtime weight override.
struct BackendID: Hashable, Comparable, CustomStringConvertible {
    var service: IPVSServiceKey
    var destination: IPVSDestinationKey

    var description: String { "\(service) -> \(destination)" }

    /// The `service` label of `vipd_ipvs_backend_up` (docs/operations.md):
    /// `VIP:PORT`, IPv6 in brackets, or `fwmark:N`.
    var serviceLabel: String {
        switch service {
        case .address(_, let a, let port): return a.withPort(port)
        case .fwmark(let m, _): return "fwmark:\(m)"
        }
    }
    static func < (a: BackendID, b: BackendID) -> Bool {
        a.service != b.service ? a.service < b.service : a.destination < b.destination
    }
}

/// The IPVS table vipd wants, from the config's `services`, the backends'
/// health and the runtime overrides (`vipctl lb backend set`). Pure: the
/// planner then diffs it against the kernel's table.
enum IPVSDesired {
    static func key(_ s: ServiceConfig) -> IPVSServiceKey {
        switch s.frontend {
        case .address(let a, let port):
            let p: IPVSProtocol
            switch s.serviceProtocol {
            case .tcp: p = .tcp
            case .udp: p = .udp
            case .sctp: p = .sctp
            }
            return .address(p, a, port: port)
        case .fwmark(let mark):
            // A fwmark service's family is its backends' (ipvsadm -6 for IPv6).
            let v6 = s.backends.first.map { if case .v6 = $0.address { true } else { false } } ?? false
            return .fwmark(mark, family: v6 ? .ipv6 : .ipv4)
        }
    }

    static func forwarding(_ f: Forwarding) -> IPVSForwarding {
        switch f {
        case .direct: return .droute
        case .nat: return .masq
        case .tunnel: return .tunnel
        case .local: return .local
        }
    }

    /// A backend's configured port: its own, else the service's; 0 for
    /// fwmark services (the packet's own port). Health checks probe it.
    static func port(_ b: ServiceConfig.Backend, of s: ServiceConfig) -> UInt16 {
        if let p = b.port { return p }
        if case .address(_, let p) = s.frontend { return p }
        return 0
    }

    /// The port the kernel keeps for the backend: direct routing and
    /// tunnelling cannot change the destination port, so IPVS (and
    /// ipvsadm) use the virtual port for them.
    static func kernelPort(_ b: ServiceConfig.Backend, of s: ServiceConfig) -> UInt16 {
        if case .address(_, let vport) = s.frontend {
            switch s.forwarding(of: b) {
            case .direct, .tunnel: return vport
            case .nat, .local: break
            }
        }
        return port(b, of: s)
    }

    static func backendID(_ b: ServiceConfig.Backend, of s: ServiceConfig) -> BackendID {
        BackendID(service: key(s), destination: IPVSDestinationKey(address: b.address, port: kernelPort(b, of: s)))
    }

    /// One backend's destination as `table` has it, without building the
    /// table (a runtime weight change on a full table); nil when it is out
    /// (removed for failing health).
    static func destination(_ b: ServiceConfig.Backend, of s: ServiceConfig, up: [BackendID: Bool],
                            overrides: [BackendID: Int32]) -> IPVSDestination? {
        let id = backendID(b, of: s)
        // (empty checks: a table of 10,000 backends without health checks
        // or overrides needs no hash lookups)
        var weight = (overrides.isEmpty ? nil : overrides[id]) ?? Int32(clamping: b.weight)
        if !up.isEmpty, up[id] == false {
            if s.onFailure == .remove { return nil }
            weight = 0
        }
        return IPVSDestination(address: id.destination.address, port: id.destination.port,
                               forwarding: forwarding(s.forwarding(of: b)), weight: weight)
    }

    /// The table: each service with its backends. A backend whose check
    /// fails (`up[id] == false`) gets weight 0 (`on_failure: quiesce`) or
    /// is left out (`remove`); when it recovers it returns with its weight,
    /// the override's when one is set.
    static func table(_ services: [ServiceConfig], up: [BackendID: Bool], overrides: [BackendID: Int32]) -> IPVSTableState {
        var t = IPVSTableState()
        // Sized up front: grown one insert at a time, the 1,000 services and
        // their 10,000 backends of a large table were rehashed again and
        // again (a quarter of building it).
        t.services.reserveCapacity(services.count)
        for s in services {
            let k = key(s)
            var state = IPVSServiceState(service: IPVSService(key: k, scheduler: s.scheduler.rawValue, persistence: s.persistence))
            state.destinations.reserveCapacity(s.backends.count)
            for b in s.backends {
                guard let d = destination(b, of: s, up: up, overrides: overrides) else { continue }
                state.destinations[d.key] = d
            }
            t.services[k] = state
        }
        return t
    }
}

/// The config's "host:port" (VipdConfig's), for files that also see NIO's SocketAddress.
typealias ConfigSocketAddress = SocketAddress
