/// An IPv4 prefix with its optional ADD-PATH path identifier (RFC 7911; 0
/// when the session does not use ADD-PATH). 12 bytes, stored inline.
public struct IPv4Prefix: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv4Address
    public var pathID: UInt32
    public var length: UInt8

    @inlinable
    public init(_ address: IPv4Address, _ length: UInt8, pathID: UInt32 = 0) {
        self.address = address
        self.length = length
        self.pathID = pathID
    }

    /// Parses "a.b.c.d/len". Host bits must be zero.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = IPv4Address(parts[0]), let l = UInt8(parts[1]), l <= 32 else { return nil }
        guard a.value & ~IPv4Prefix.mask(l) == 0 else { return nil }
        self.init(a, l)
    }

    @inlinable
    public static func mask(_ length: UInt8) -> UInt32 {
        length == 0 ? 0 : ~UInt32(0) << (32 - UInt32(length))
    }

    public var description: String { "\(address)/\(length)" }
}

/// An IPv6 prefix with its optional ADD-PATH path identifier.
public struct IPv6Prefix: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv6Address
    public var pathID: UInt32
    public var length: UInt8

    @inlinable
    public init(_ address: IPv6Address, _ length: UInt8, pathID: UInt32 = 0) {
        self.address = address
        self.length = length
        self.pathID = pathID
    }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = IPv6Address(parts[0]), let l = UInt8(parts[1]), l <= 128 else { return nil }
        let (mh, ml) = IPv6Prefix.mask(l)
        guard a.high & ~mh == 0, a.low & ~ml == 0 else { return nil }
        self.init(a, l)
    }

    @inlinable
    public static func mask(_ length: UInt8) -> (UInt64, UInt64) {
        let l = UInt64(length)
        let h: UInt64 = l == 0 ? 0 : (l >= 64 ? ~0 : ~UInt64(0) << (64 - l))
        let lo: UInt64 = l <= 64 ? 0 : (l >= 128 ? ~0 : ~UInt64(0) << (128 - l))
        return (h, lo)
    }

    public var description: String { "\(address)/\(length)" }
}
