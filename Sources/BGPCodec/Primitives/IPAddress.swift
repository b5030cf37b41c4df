/// An IPv4 or IPv6 address: a VIP, a peer, a backend. RFC 5952 text for
/// IPv6 when printed. The config reads it, and the IPVS model keeps it as
/// `IPVSAddress` with the kernel's views of it.
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

    /// The same, of UTF-8 bytes (a config scalar's, read in place): an
    /// IPv4 address is read without making a String.
    @inlinable public init?(utf8 text: UnsafeBufferPointer<UInt8>) {
        if let a = IPv4Address(utf8: text) {
            self = .v4(a)
        } else if text.contains(UInt8(ascii: ":")), let a = IPv6Address(String(decoding: text, as: UTF8.self)) {
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

    /// `addr:port` for IPv4, `[addr]:port` for IPv6.
    public func withPort(_ port: UInt16) -> String {
        switch self {
        case .v4: return "\(self):\(port)"
        case .v6: return "[\(self)]:\(port)"
        }
    }

    /// "a.b.c.d:PORT" or "[v6]:PORT" into the address and the port's text,
    /// which the caller reads by its own rules; nil for anything else (an
    /// IPv6 address without brackets, an IPv4 one with them).
    public static func splittingPort(_ text: Substring) -> (address: IPAddress, port: Substring)? {
        let host: Substring, port: Substring
        if text.first == "[" {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.first == ":", host.contains(":") else { return nil }
            port = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard let address = IPAddress(host) else { return nil }
        return (address, port)
    }
}
