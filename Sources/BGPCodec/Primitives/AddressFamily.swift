/// Address Family Identifier (IANA "Address Family Numbers").
public struct AFI: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let ipv4 = AFI(rawValue: 1)
    public static let ipv6 = AFI(rawValue: 2)
    public static let l2vpn = AFI(rawValue: 25)
    public static let bgpls = AFI(rawValue: 16388)
    public var description: String { "\(rawValue)" }
}

/// Subsequent Address Family Identifier (IANA "SAFI Values").
public struct SAFI: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let unicast = SAFI(rawValue: 1)
    public static let multicast = SAFI(rawValue: 2)
    public static let labeledUnicast = SAFI(rawValue: 4)
    public static let evpn = SAFI(rawValue: 70)
    public static let mplsVPN = SAFI(rawValue: 128)
    public static let flowspec = SAFI(rawValue: 133)
    public var description: String { "\(rawValue)" }
}

/// An AFI/SAFI pair.
public struct AddressFamily: Hashable, Sendable, CustomStringConvertible {
    public var afi: AFI
    public var safi: SAFI
    public init(afi: AFI, safi: SAFI) {
        self.afi = afi
        self.safi = safi
    }
    public init(afi: UInt16, safi: UInt8) {
        self.init(afi: AFI(rawValue: afi), safi: SAFI(rawValue: safi))
    }

    public static let ipv4Unicast = AddressFamily(afi: .ipv4, safi: .unicast)
    public static let ipv6Unicast = AddressFamily(afi: .ipv6, safi: .unicast)
    public static let ipv4Multicast = AddressFamily(afi: .ipv4, safi: .multicast)
    public static let ipv6Multicast = AddressFamily(afi: .ipv6, safi: .multicast)

    /// The families whose NLRI this codec decodes into typed prefixes.
    /// Unicast and multicast share the RFC 4271/4760 prefix encoding.
    public var isDecodedPrefixFamily: Bool {
        (afi == .ipv4 || afi == .ipv6) && (safi == .unicast || safi == .multicast)
    }

    public var description: String {
        switch (afi, safi) {
        case (.ipv4, .unicast): return "ipv4-unicast"
        case (.ipv6, .unicast): return "ipv6-unicast"
        case (.ipv4, .multicast): return "ipv4-multicast"
        case (.ipv6, .multicast): return "ipv6-multicast"
        default: return "afi\(afi.rawValue)-safi\(safi.rawValue)"
        }
    }
}
