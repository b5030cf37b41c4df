import BGPCodec

/// An address family as the kernel's IPVS attributes carry it
/// (IPVS_SVC_ATTR_AF, IPVS_DEST_ATTR_ADDR_FAMILY): the raw value is AF_INET
/// or AF_INET6.
public enum IPVSFamily: UInt16, Hashable, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    case ipv4 = 2
    case ipv6 = 10

    public static func < (a: IPVSFamily, b: IPVSFamily) -> Bool { a.rawValue < b.rawValue }

    /// "ipv4" or "ipv6" (the ownership record's spelling).
    public var description: String { self == .ipv4 ? "ipv4" : "ipv6" }

    /// The longest prefix of the family: 32 or 128.
    public var fullPrefixLength: UInt8 { self == .ipv4 ? 32 : 128 }
}

/// An IPv4 or IPv6 address of a virtual service or a real server: the
/// codec's `IPAddress` (the config's too), with the kernel's views of it.
public typealias IPVSAddress = IPAddress

extension IPAddress {
    /// From the kernel's bytes. IPVS carries every address in a 16-byte
    /// `nf_inet_addr`; for AF_INET only the first 4 count. Nil for an
    /// unknown family or too few bytes.
    public init?(family: UInt16, bytes: [UInt8]) {
        switch IPVSFamily(rawValue: family) {
        case .ipv4?:
            guard bytes.count >= 4 else { return nil }
            self = .v4(IPv4Address(bytes[0], bytes[1], bytes[2], bytes[3]))
        case .ipv6?:
            guard bytes.count >= 16 else { return nil }
            var high: UInt64 = 0, low: UInt64 = 0
            for i in 0..<8 { high = high << 8 | UInt64(bytes[i]) }
            for i in 8..<16 { low = low << 8 | UInt64(bytes[i]) }
            self = .v6(IPv6Address(high: high, low: low))
        case nil:
            return nil
        }
    }

    public var ipvsFamily: IPVSFamily {
        if case .v4 = self { return .ipv4 }
        return .ipv6
    }

    /// AF_INET (2) or AF_INET6 (10).
    public var family: UInt16 { ipvsFamily.rawValue }

    /// Network byte order: 4 bytes for IPv4, 16 for IPv6.
    public var addressBytes: [UInt8] {
        switch self {
        case .v4(let a): return a.octets
        case .v6(let a): return a.octets
        }
    }
}

/// `addr:port` or `[v6addr]:port` into its parts.
func parseAddressPort(_ text: Substring) -> (IPVSAddress, UInt16)? {
    guard let (address, portText) = IPAddress.splittingPort(text), let port = parsePort(portText) else { return nil }
    return (address, port)
}

/// Decimal 0-65535, digits only.
func parsePort(_ text: Substring) -> UInt16? {
    guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    return UInt16(text)
}
