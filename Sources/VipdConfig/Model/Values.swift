import BGPCodec

/// A span of time written in seconds, with up to three decimals ("1",
/// "0.5", "0.125"). Held as whole milliseconds so that it prints back exactly.
public struct Seconds: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public init(integerLiteral seconds: Int64) { milliseconds = seconds * 1000 }
    public static func seconds(_ s: Int64) -> Seconds { Seconds(milliseconds: s * 1000) }

    /// Parses "5", "0.5", "1.25", "0.001". Refuses signs, exponents and more
    /// than three decimals (finer than the millisecond vipd keeps).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parseDecimal(parts[0]), whole <= 1_000_000_000 else { return nil }
        var ms = Int64(whole) * 1000
        if parts.count == 2 {
            let frac = parts[1]
            guard (1...3).contains(frac.count), let f = parseDecimal(frac) else { return nil }
            var scaled = Int64(f)
            for _ in frac.count..<3 { scaled *= 10 }
            ms += scaled
        }
        milliseconds = ms
    }

    public var duration: Duration { .milliseconds(milliseconds) }

    /// "5", "0.5", "1.25": no trailing zeros.
    public var description: String {
        let whole = milliseconds / 1000
        var frac = milliseconds % 1000
        if frac == 0 { return "\(whole)" }
        var digits = 3
        while frac % 10 == 0 { frac /= 10; digits -= 1 }
        let text = String(frac)
        return "\(whole)." + String(repeating: "0", count: digits - text.count) + text
    }

    public static func < (a: Seconds, b: Seconds) -> Bool { a.milliseconds < b.milliseconds }
}

/// An RFC 1997 community: "65011:100", held as its 32-bit value.
public struct Community: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }
    public init(_ high: UInt16, _ low: UInt16) { value = UInt32(high) << 16 | UInt32(low) }

    /// The well-known names a config may use instead of numbers.
    public static let names: [String: Community] = [
        "no-export": Community(0xFFFF_FF01),
        "no-advertise": Community(0xFFFF_FF02),
        "no-export-subconfed": Community(0xFFFF_FF03),
        "graceful-shutdown": Community(0xFFFF_0000),  // RFC 8326
        "blackhole": Community(0xFFFF_029A),          // RFC 7999
    ]

    public static let gracefulShutdown = Community(0xFFFF_0000)

    /// Parses "a:b" with a and b in 0-65535, or one of `names`.
    public init?(_ text: some StringProtocol) {
        if let named = Community.names[String(text)] {
            self = named
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = parseDecimal(parts[0]), let b = parseDecimal(parts[1]),
              a <= 0xFFFF, b <= 0xFFFF else { return nil }
        self.init(UInt16(a), UInt16(b))
    }

    public var high: UInt16 { UInt16(value >> 16) }
    public var low: UInt16 { UInt16(value & 0xFFFF) }

    /// Always the numeric form, "65535:0" rather than "graceful-shutdown".
    public var description: String { "\(high):\(low)" }

    public static func < (a: Community, b: Community) -> Bool { a.value < b.value }
}

extension LargeCommunity {
    /// Parses RFC 8092 text, "a:b:c", each part 0-4294967295.
    static func parse(_ text: some StringProtocol) -> LargeCommunity? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var v: [UInt32] = []
        for p in parts {
            guard let n = parseDecimal(p), n <= UInt64(UInt32.max) else { return nil }
            v.append(UInt32(n))
        }
        return LargeCommunity(v[0], v[1], v[2])
    }
}

/// A config family name: exactly "ipv4-unicast" or "ipv6-unicast".
enum FamilyName {
    static let all: [(String, AddressFamily)] = [("ipv4-unicast", .ipv4Unicast), ("ipv6-unicast", .ipv6Unicast)]

    static func parse(_ text: String) -> AddressFamily? {
        all.first { $0.0 == text }?.1
    }

    static func name(_ f: AddressFamily) -> String { f.description }
}
