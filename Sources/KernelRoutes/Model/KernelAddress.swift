#if canImport(Glibc)
import Glibc
#endif

/// An address family the kernel routes: the values are Linux's AF_INET and
/// AF_INET6, as they travel in rtnetlink headers.
public enum AddressFamily: UInt8, Hashable, Sendable, CustomStringConvertible {
    case ipv4 = 2
    case ipv6 = 10

    /// Bytes in an address of this family.
    public var addressLength: Int { self == .ipv4 ? 4 : 16 }
    /// The longest prefix: 32 or 128.
    public var maxPrefixLength: UInt8 { self == .ipv4 ? 32 : 128 }

    public var description: String { self == .ipv4 ? "ipv4" : "ipv6" }
}

/// An IPv4 or IPv6 address as plain bytes in network order. The daemon's
/// own address types live in other modules; the caller converts, so this
/// module depends on nothing but libnl.
public struct KernelAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let family: AddressFamily
    /// 4 bytes for IPv4, 16 for IPv6, network order.
    public let bytes: [UInt8]

    /// Nil unless `bytes` has 4 (IPv4) or 16 (IPv6) bytes.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: family = .ipv4
        case 16: family = .ipv6
        default: return nil
        }
        self.bytes = bytes
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with inet_pton).
    public init?(_ text: String) {
        var buffer = [UInt8](repeating: 0, count: 16)
        let family: AddressFamily = text.contains(":") ? .ipv6 : .ipv4
        let af = Int32(family.rawValue)
        let ok = buffer.withUnsafeMutableBytes { inet_pton(af, text, $0.baseAddress) }
        guard ok == 1 else { return nil }
        self.init(bytes: Array(buffer.prefix(family.addressLength)))
    }

    /// The all-zero address of `family` (the destination of a default route).
    public static func unspecified(_ family: AddressFamily) -> KernelAddress {
        KernelAddress(bytes: [UInt8](repeating: 0, count: family.addressLength))!
    }

    /// Dotted quad, or RFC 5952 text for IPv6 (inet_ntop: lower case, the
    /// longest run of zero groups compressed).
    public var description: String {
        var out = [CChar](repeating: 0, count: 64)
        let af = Int32(family.rawValue)
        let text: String? = bytes.withUnsafeBytes { src in
            out.withUnsafeMutableBufferPointer { dst in
                inet_ntop(af, src.baseAddress, dst.baseAddress, socklen_t(dst.count)) == nil
                    ? nil : String(cString: dst.baseAddress!)
            }
        }
        return text ?? bytes.map(String.init).joined(separator: ".")
    }

    /// IPv4 before IPv6, then by bytes: a stable order for listings and plans.
    public static func < (a: KernelAddress, b: KernelAddress) -> Bool {
        if a.family != b.family { return a.family == .ipv4 }
        return a.bytes.lexicographicallyPrecedes(b.bytes)
    }
}

/// A destination prefix: an address and a length, host bits zero (the
/// kernel refuses an IPv4 route whose host bits are set).
public struct KernelPrefix: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let address: KernelAddress
    public let length: UInt8

    /// Nil when the length is too long for the family or a host bit is set.
    public init?(address: KernelAddress, length: UInt8) {
        guard length <= address.family.maxPrefixLength else { return nil }
        for (i, byte) in address.bytes.enumerated() {
            let bitsBefore = i * 8
            let keep = max(0, min(8, Int(length) - bitsBefore))
            let mask: UInt8 = keep == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
            if byte & ~mask != 0 { return nil }
        }
        self.address = address
        self.length = length
    }

    /// "10.0.1.0/24", "fd00::/64"; a bare address means the host prefix.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = KernelAddress(String(parts[0])) else { return nil }
        let length: UInt8
        if parts.count == 2 {
            guard let l = UInt8(parts[1]) else { return nil }
            length = l
        } else {
            length = address.family.maxPrefixLength
        }
        self.init(address: address, length: length)
    }

    /// The /32 or /128 of one address: what a VIP route covers.
    public static func host(_ address: KernelAddress) -> KernelPrefix {
        KernelPrefix(address: address, length: address.family.maxPrefixLength)!
    }

    public var family: AddressFamily { address.family }
    public var isHost: Bool { length == family.maxPrefixLength }

    public var description: String { "\(address)/\(length)" }

    public static func < (a: KernelPrefix, b: KernelPrefix) -> Bool {
        a.address != b.address ? a.address < b.address : a.length < b.length
    }
}
