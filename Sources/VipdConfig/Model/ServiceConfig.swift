import BGPCodec

/// One entry of `services`: an IPVS virtual service.
///
/// A service's `vip` need not be in `vips`; if it is, vipd owns or announces
/// it by that entry's mode, and otherwise the address is the operator's.
/// `forwarding: local` is refused for a backend address that is not local;
/// that needs the host's addresses, so the caller checks it, not this module.
public struct ServiceConfig: Hashable, Sendable {
    /// `vip` and `port`, or `fwmark` (required, one or the other).
    public var frontend: Frontend
    /// `protocol`. Default tcp. Not used by fwmark services.
    public var serviceProtocol: ServiceProtocol = .tcp
    /// `scheduler`. Default wlc (ipvsadm's default).
    public var scheduler: Scheduler = .wlc
    /// `forwarding`: the default for its backends. Default direct (ipvsadm -g).
    public var forwarding: Forwarding = .direct
    /// `persistence`: seconds, 0-2678400 (31 days, ipvsadm's limit); 0 (the default) is off.
    public var persistence: UInt32 = 0
    /// `on_failure`. Default quiesce.
    public var onFailure: OnFailure = .quiesce
    /// `backends`. Default none.
    public var backends: [Backend] = []
    /// `health`: the backend check. Default a TCP connect check
    /// (`HealthCheck.defaultBackendCheck`); `{type: none}` turns it off.
    public var health: HealthCheck = .defaultBackendCheck

    public init(frontend: Frontend) { self.frontend = frontend }

    public enum Frontend: Hashable, Sendable, CustomStringConvertible {
        case address(IPAddress, port: UInt16)
        case fwmark(UInt32)

        public var description: String {
            switch self {
            case .address(let a, let p): return SocketAddress(a, port: p).description
            case .fwmark(let m): return "fwmark \(m)"
            }
        }
    }

    /// One of `backends`.
    public struct Backend: Hashable, Sendable {
        /// `address` (required), of the service's family.
        public var address: IPAddress
        /// `port`. Default the service's port; none (the packet's own port)
        /// for fwmark services.
        public var port: UInt16?
        /// `weight`: 0-65535. Default 1.
        public var weight: UInt32 = 1
        /// `forwarding`: overrides the service's. Default none.
        public var forwarding: Forwarding?

        public init(address: IPAddress, port: UInt16?, weight: UInt32 = 1, forwarding: Forwarding? = nil) {
            self.address = address
            self.port = port
            self.weight = weight
            self.forwarding = forwarding
        }
    }

    /// The forwarding method a backend really uses.
    public func forwarding(of backend: Backend) -> Forwarding { backend.forwarding ?? forwarding }
}

public enum ServiceProtocol: String, Hashable, Sendable, CaseIterable {
    case tcp, udp, sctp
}

/// Every scheduler the kernel has.
public enum Scheduler: String, Hashable, Sendable, CaseIterable {
    case rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, mh, fo, ovf, twos
}

public enum Forwarding: String, Hashable, Sendable, CaseIterable {
    /// ipvsadm -g.
    case direct
    /// ipvsadm -m.
    case nat
    /// ipvsadm -i.
    case tunnel
    /// The director itself (IPVS's local-node method).
    case local
}

public enum OnFailure: String, Hashable, Sendable, CaseIterable {
    /// A failing backend gets weight 0.
    case quiesce
    /// A failing backend is removed.
    case remove
}
