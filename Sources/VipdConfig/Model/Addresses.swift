import BGPCodec

/// An IPv4 or IPv6 address, as the config writes them (RFC 5952 text for
/// IPv6 when printed).
public enum IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text. No prefix length, no
    /// zone ("%eth0"), no brackets.
    public init?(_ text: some StringProtocol) {
        if let a = IPv4Address(text) {
            self = .v4(a)
        } else if text.contains(":"), let a = IPv6Address(text) {
            self = .v6(a)
        } else {
            return nil
        }
    }

    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// The unicast family this address belongs to.
    public var unicastFamily: AddressFamily { isIPv4 ? .ipv4Unicast : .ipv6Unicast }

    public var isUnspecified: Bool {
        switch self {
        case .v4(let a): return a.value == 0
        case .v6(let a): return a.isUnspecified
        }
    }

    /// 224.0.0.0/4 or ff00::/8.
    public var isMulticast: Bool {
        switch self {
        case .v4(let a): return a.value >> 28 == 0xE
        case .v6(let a): return a.high >> 56 == 0xFF
        }
    }

    /// 127.0.0.0/8 or ::1.
    public var isLoopback: Bool {
        switch self {
        case .v4(let a): return a.value >> 24 == 127
        case .v6(let a): return a.high == 0 && a.low == 1
        }
    }

    /// 255.255.255.255.
    public var isBroadcast: Bool {
        if case .v4(let a) = self { return a.value == .max }
        return false
    }

    /// fe80::/10. (IPv4 169.254/16 is usable for a VIP, so it is not counted.)
    public var isLinkLocal: Bool {
        if case .v6(let a) = self { return a.isLinkLocal }
        return false
    }

    public var description: String {
        switch self {
        case .v4(let a): return a.description
        case .v6(let a): return a.description
        }
    }

    /// IPv4 sorts before IPv6; within a family, by value.
    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): return x < y
        case (.v6(let x), .v6(let y)): return x < y
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        }
    }
}

/// An IPv4 or IPv6 prefix ("10.0.0.0/8", "fd00::/16"); host bits must be zero.
public enum IPPrefix: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Prefix)
    case v6(IPv6Prefix)

    public init?(_ text: some StringProtocol) {
        if text.contains(":") {
            guard let p = IPv6Prefix(text) else { return nil }
            self = .v6(p)
        } else {
            guard let p = IPv4Prefix(text) else { return nil }
            self = .v4(p)
        }
    }

    public var length: UInt8 {
        switch self {
        case .v4(let p): return p.length
        case .v6(let p): return p.length
        }
    }

    /// 32 or 128.
    public var maxLength: UInt8 {
        if case .v4 = self { return 32 }
        return 128
    }

    public var description: String {
        switch self {
        case .v4(let p): return p.description
        case .v6(let p): return p.description
        }
    }
}

/// An address and a port: "127.0.0.1:2112" or "[::1]:2112".
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(_ address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// Parses "a.b.c.d:port" or "[v6]:port". The port must be 1-65535.
    public init?(_ text: some StringProtocol) {
        let s = Substring(text)
        let host: Substring
        let portText: Substring
        if s.first == "[" {
            guard let close = s.firstIndex(of: "]") else { return nil }
            host = s[s.index(after: s.startIndex)..<close]
            let rest = s[s.index(after: close)...]
            guard rest.first == ":" else { return nil }
            portText = rest.dropFirst()
            guard host.contains(":") else { return nil }
        } else {
            guard let colon = s.lastIndex(of: ":"), !s[..<colon].contains(":") else { return nil }
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
        }
        guard let a = IPAddress(host), let p = parseDecimal(portText), p >= 1, p <= 65535 else { return nil }
        self.init(a, port: UInt16(p))
    }

    public var description: String {
        switch address {
        case .v4: return "\(address):\(port)"
        case .v6: return "[\(address)]:\(port)"
        }
    }
}

/// Parses plain decimal digits (no sign, no underscores, at most 19 digits).
func parseDecimal(_ text: some StringProtocol) -> UInt64? {
    guard !text.isEmpty, text.utf8.count <= 19 else { return nil }
    var v: UInt64 = 0
    for c in text.utf8 {
        guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
        v = v * 10 + UInt64(c - UInt8(ascii: "0"))
    }
    return v
}
