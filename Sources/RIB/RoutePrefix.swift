import BGPCodec

/// A route's prefix in a unicast family we keep, path id included (RFC 7911).
public enum RoutePrefix: Hashable, Sendable, CustomStringConvertible {
    case ipv4(IPv4Prefix)
    case ipv6(IPv6Prefix)

    public var description: String {
        switch self {
        case .ipv4(let p): return p.description
        case .ipv6(let p): return p.description
        }
    }
}
