/// One source NAT rule for NAT mode (ipvsadm -m): traffic the director
/// sends to a real server leaves with the director's address, so the real
/// server's answer comes back through the director, where IPVS undoes its
/// NAT. Addresses are bytes, so nothing a config holds ends up as nft syntax
/// unchecked.
///
/// The match, in vipd's own `postrouting` nat chain:
///
///     ip daddr BACKEND tcp dport PORT ct original ip daddr VIP ct original proto-dst VPORT masquerade
///
/// nftables has no `ipvs` match (iptables' `-m ipvs --vaddr --vport`). With
/// `net.ipv4.vs.conntrack=1` IPVS keeps the connection's conntrack entry and
/// only rewrites its reply tuple, so the original tuple still holds the
/// virtual address and port: `ct original ... daddr` / `proto-dst` select
/// exactly the connections IPVS took from that virtual service, as
/// `-m ipvs --vaddr VIP --vport PORT` does. Without `virtualAddress`
/// (fwmark services have none) the rule masquerades all traffic to the
/// backend's address and port. `ct status dnat` is not used: IPVS does not
/// go through nf_nat, so it never sets that status bit.
public struct MasqueradeRule: Hashable, Sendable, CustomStringConvertible {
    public enum TransportProtocol: String, Hashable, Sendable, CaseIterable {
        case tcp, udp, sctp
    }

    /// The real server: 4 bytes (IPv4, `table ip vipd`) or 16 (IPv6,
    /// `table ip6 vipd`), network byte order.
    public var backendAddress: [UInt8]
    /// The real server's port; nil matches any (a fwmark service's real
    /// server takes the packet's own port). Needs `transport`.
    public var backendPort: UInt16?
    /// Nil matches any protocol.
    public var transport: TransportProtocol?
    /// The virtual service's address (the same family as the backend); nil
    /// for no conntrack match.
    public var virtualAddress: [UInt8]?
    /// The virtual service's port; needs `virtualAddress` and `transport`.
    public var virtualPort: UInt16?

    public init(backendAddress: [UInt8], backendPort: UInt16? = nil, transport: TransportProtocol? = nil,
                virtualAddress: [UInt8]? = nil, virtualPort: UInt16? = nil) {
        self.backendAddress = backendAddress
        self.backendPort = backendPort
        self.transport = transport
        self.virtualAddress = virtualAddress
        self.virtualPort = virtualPort
    }

    public var isIPv6: Bool { backendAddress.count == 16 }

    /// Why nft could not take this rule, or nil.
    public var problem: String? {
        guard backendAddress.count == 4 || backendAddress.count == 16 else {
            return "backend address has \(backendAddress.count) bytes (4 or 16)"
        }
        if let v = virtualAddress, v.count != backendAddress.count {
            return "virtual address has \(v.count) bytes, the backend \(backendAddress.count): families differ"
        }
        if backendPort != nil && transport == nil { return "a backend port needs a transport protocol" }
        if virtualPort != nil && (transport == nil || virtualAddress == nil) {
            return "a virtual port needs a transport protocol and a virtual address"
        }
        return nil
    }

    /// The rule's statement, as `add rule` takes it.
    public var statement: String {
        let family = isIPv6 ? "ip6" : "ip"
        var parts = ["\(family) daddr \(addressText(backendAddress))"]
        if let t = transport {
            if let p = backendPort { parts.append("\(t.rawValue) dport \(p)") } else { parts.append("meta l4proto \(t.rawValue)") }
        }
        if let v = virtualAddress {
            parts.append("ct original \(family) daddr \(addressText(v))")
            if let p = virtualPort { parts.append("ct original proto-dst \(p)") }
        }
        parts.append("masquerade")
        return parts.joined(separator: " ")
    }

    public var description: String { statement }
}

/// Dotted quad, or IPv6 with the longest run of two or more zero groups as
/// "::" (RFC 5952, as nft prints it). Any length other than 16 prints
/// dotted, so a bad rule can still be named in its error.
func addressText(_ bytes: [UInt8]) -> String {
    if bytes.count != 16 { return bytes.map(String.init).joined(separator: ".") }
    var groups: [UInt16] = []
    for i in stride(from: 0, to: 16, by: 2) { groups.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])) }
    var bestStart = -1, bestLength = 0, i = 0
    while i < 8 {
        guard groups[i] == 0 else { i += 1; continue }
        var j = i
        while j < 8 && groups[j] == 0 { j += 1 }
        if j - i >= 2 && j - i > bestLength { bestStart = i; bestLength = j - i }
        i = j
    }
    let hex = { (g: UInt16) in String(g, radix: 16) }
    guard bestStart >= 0 else { return groups.map(hex).joined(separator: ":") }
    return groups[..<bestStart].map(hex).joined(separator: ":") + "::"
        + groups[(bestStart + bestLength)...].map(hex).joined(separator: ":")
}
