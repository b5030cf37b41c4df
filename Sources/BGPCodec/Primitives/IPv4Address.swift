/// An IPv4 address held as a host-order 32-bit value.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32

    @inlinable public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad text ("192.0.2.1"). Leading zeros are refused, as
    /// they are ambiguous (octal in some parsers). Inlinable, so that it is
    /// specialized for the caller's string type: generic, it walked the
    /// UTF-8 view through witness tables, the most of a config's address
    /// reading.
    @inlinable public init?(_ text: some StringProtocol) { self.init(utf8: text.utf8) }

    /// The same, of UTF-8 bytes (a config scalar's, read in place).
    @inlinable public init?<C: Collection<UInt8>>(utf8 text: C) {
        var value: UInt32 = 0
        var dots = 0
        var current: UInt32 = 0
        var digits = 0
        for ch in text {
            if ch == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | current
                dots += 1
                current = 0
                digits = 0
            } else if ch >= UInt8(ascii: "0") && ch <= UInt8(ascii: "9") {
                if digits > 0 && current == 0 { return nil }
                current = current * 10 + UInt32(ch - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, current <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, dots == 3 else { return nil }
        self.value = value << 8 | current
    }

    public var octets: [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// Dotted quad, written digit by digit into a small string (at most 15
    /// bytes, so no allocation): listings print thousands of these.
    public var description: String {
        String(unsafeUninitializedCapacity: 15) { buf in
            var n = 0
            for shift in stride(from: 24, through: 0, by: -8) {
                if shift != 24 { buf[n] = UInt8(ascii: "."); n += 1 }
                let o = UInt8(truncatingIfNeeded: value >> UInt32(shift))
                if o >= 100 { buf[n] = UInt8(ascii: "0") + o / 100; n += 1 }
                if o >= 10 { buf[n] = UInt8(ascii: "0") + o / 10 % 10; n += 1 }
                buf[n] = UInt8(ascii: "0") + o % 10; n += 1
            }
            return n
        }
    }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }

    public static let zero = IPv4Address(0)
}
