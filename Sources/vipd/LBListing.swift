import BGPCodecJSON
import IPVS

/// `vipctl lb show --json`: the kernel's IPVS table as interfaces.md's JSON,
/// written straight into bytes. A full table (1,000 services × 10 backends)
/// is 1.5 MB of JSON; building it as a `JSONValue` first cost more than
/// reading the table from the kernel.
enum LBListing {
    /// Services and their backends in the model's order (`IPVSBridge.list`).
    /// `health` names a backend's health (given whether vipd manages its
    /// service); `overridden` says whether `lb backend set` holds its weight.
    static func json(_ services: [IPVSBridge.ListedService], owned: Set<IPVSServiceKey>, stats: Bool,
                     health: (BackendID, Bool) -> String, overridden: (BackendID) -> Bool) -> [UInt8] {
        var out = JSONStream(reservingCapacity: 160 * (services.reduce(0) { $0 + $1.backends.count } + 1))
        out.beginArray()
        for s in services {
            service(s, managed: owned.contains(s.service.key), stats: stats, health: health, overridden: overridden, into: &out)
        }
        out.endArray()
        return out.bytes
    }

    private static func service(_ s: IPVSBridge.ListedService, managed: Bool, stats: Bool,
                                health: (BackendID, Bool) -> String, overridden: (BackendID) -> Bool, into out: inout JSONStream) {
        let k = s.service.key
        out.beginObject()
        switch k {
        case .address(let p, let a, let port):
            out.field("vip", a.description); out.field("port", port); out.key("fwmark"); out.null(); out.field("protocol", p.description)
        case .fwmark(let m, _):
            out.key("vip"); out.null(); out.key("port"); out.null(); out.field("fwmark", m); out.key("protocol"); out.null()
        }
        out.field("scheduler", s.service.scheduler)
        out.field("managed", managed)
        if s.service.persistence > 0 { out.field("persistence", s.service.persistence) }
        out.key("backends")
        out.beginArray()
        for (d, dc) in s.backends {
            let id = BackendID(service: k, destination: d.key)
            out.beginObject()
            out.field("address", d.address.description); out.field("port", d.port); out.field("forwarding", forwardingName(d.forwarding))
            out.field("weight", d.weight); out.field("health", health(id, managed))
            out.field("active_conns", dc.activeConns); out.field("inactive_conns", dc.inactiveConns)
            if overridden(id) { out.field("override", true) }
            if stats {
                out.field("conns", dc.stats.conns); out.field("in_packets", dc.stats.inPackets); out.field("out_packets", dc.stats.outPackets)
                out.field("in_bytes", dc.stats.inBytes); out.field("out_bytes", dc.stats.outBytes)
            }
            out.endObject()
        }
        out.endArray()
        out.endObject()
    }

    /// The config's word for a forwarding method.
    static func forwardingName(_ f: IPVSForwarding) -> String {
        switch f {
        case .droute: return "direct"
        case .masq: return "nat"
        case .tunnel: return "tunnel"
        case .local: return "local"
        }
    }
}
