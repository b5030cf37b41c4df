import BGPCodec

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
        guard let (a, portText) = IPAddress.splittingPort(Substring(text)),
              let p = parseDecimal(portText), p >= 1, p <= 65535 else { return nil }
        self.init(a, port: UInt16(p))
    }

    public var description: String { address.withPort(port) }
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

/// The same, of UTF-8 bytes (a config scalar's, read in place).
func parseDecimal(_ utf8: UnsafeBufferPointer<UInt8>) -> UInt64? {
    guard !utf8.isEmpty, utf8.count <= 19 else { return nil }
    var v: UInt64 = 0
    for c in utf8 {
        guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
        v = v * 10 + UInt64(c - UInt8(ascii: "0"))
    }
    return v
}
