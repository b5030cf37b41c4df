import BGPCodec

/// A key of `PrefixTable`: a prefix packed into fixed-size words, and how
/// the table stores it with its value in one slot.
public protocol TableKey: Equatable, Sendable {
    /// The prefix type of the family, as UPDATEs carry it.
    associatedtype Prefix: Sendable
    init(_ prefix: Prefix)
    /// The ADD-PATH id the prefix came with (0 without ADD-PATH).
    static func pathID(of prefix: Prefix) -> UInt32
    static func route(_ prefix: Prefix) -> RoutePrefix
    /// A key and its value; `emptySlot` marks a free one.
    associatedtype Slot: Sendable
    static var emptySlot: Slot { get }
    /// A well-mixed 64-bit hash.
    var hash64: UInt64 { get }
    static func slot(_ key: Self, _ value: UInt64) -> Slot
    /// The key of an occupied slot.
    init(slot: Slot)
    static func value(of slot: Slot) -> UInt64
    static func isEmpty(_ slot: Slot) -> Bool
    /// The slot holds this key.
    func matches(_ slot: Slot) -> Bool
}

/// A key and its value side by side.
public struct KeyValueSlot<Key: Sendable>: Sendable {
    var key: Key
    var value: UInt64
}

/// An IPv4 prefix as one word: bit 40 set (so never zero), address in bits
/// 8-39, length in bits 0-7.
public struct V4Key: TableKey, Hashable, Comparable {
    public var raw: UInt64
    @inlinable public init(_ p: IPv4Prefix) { raw = 1 << 40 | UInt64(p.address.value) << 8 | UInt64(p.length) }
    @inlinable init(raw: UInt64) { self.raw = raw }
    public static var empty: V4Key { V4Key(raw: 0) }
    @inlinable public var hash64: UInt64 { mix(raw) }
    public var prefix: IPv4Prefix { IPv4Prefix(IPv4Address(UInt32(truncatingIfNeeded: raw >> 8)), UInt8(truncatingIfNeeded: raw)) }
    public static func < (a: V4Key, b: V4Key) -> Bool { a.raw < b.raw }
    @inline(__always) public static func pathID(of prefix: IPv4Prefix) -> UInt32 { prefix.pathID }
    public static func route(_ prefix: IPv4Prefix) -> RoutePrefix { .ipv4(prefix) }

    public typealias Slot = V4Slot
    public static var emptySlot: Slot { V4Slot(address: 0, meta: 0, low: 0) }
    /// A value of at most 58 bits (`Path.packed` takes 52).
    @inline(__always) public static func slot(_ key: V4Key, _ value: UInt64) -> Slot {
        assert(value >> 58 == 0, "an IPv4 slot keeps 58 bits of value")
        return V4Slot(address: UInt32(truncatingIfNeeded: key.raw >> 8),
                      meta: UInt32(truncatingIfNeeded: key.raw & 0xFF) &+ 1 | UInt32(truncatingIfNeeded: value >> 32) << 6,
                      low: UInt32(truncatingIfNeeded: value))
    }
    @inline(__always) public init(slot: Slot) {
        raw = 1 << 40 | UInt64(slot.address) << 8 | UInt64(slot.meta & 0x3F &- 1)
    }
    @inline(__always) public static func value(of slot: Slot) -> UInt64 { UInt64(slot.meta >> 6) << 32 | UInt64(slot.low) }
    @inline(__always) public static func isEmpty(_ slot: Slot) -> Bool { slot.meta == 0 }
    @inline(__always) public func matches(_ slot: Slot) -> Bool {
        slot.address == UInt32(truncatingIfNeeded: raw >> 8) && slot.meta & 0x3F == UInt32(truncatingIfNeeded: raw & 0xFF) &+ 1
    }
}

/// An IPv4 prefix and its value in 12 bytes: the address; the length plus
/// one in bits 0-5 (0 marks an empty slot) and the value's bits 32-57
/// above it; the value's low 32 bits.
public struct V4Slot: Sendable {
    var address: UInt32
    var meta: UInt32
    var low: UInt32
}

/// An IPv6 prefix as three words; `meta` holds the length and a set bit 8.
public struct V6Key: TableKey, Hashable, Comparable {
    public var high: UInt64
    public var low: UInt64
    public var meta: UInt64
    @inlinable public init(_ p: IPv6Prefix) {
        high = p.address.high
        low = p.address.low
        meta = 1 << 8 | UInt64(p.length)
    }
    @inlinable init(h: UInt64, l: UInt64, m: UInt64) { high = h; low = l; meta = m }
    public static var empty: V6Key { V6Key(h: 0, l: 0, m: 0) }
    @inlinable public var hash64: UInt64 { mix(high ^ mix(low ^ mix(meta))) }
    public var prefix: IPv6Prefix { IPv6Prefix(IPv6Address(high: high, low: low), UInt8(truncatingIfNeeded: meta)) }
    public static func < (a: V6Key, b: V6Key) -> Bool { (a.high, a.low, a.meta) < (b.high, b.low, b.meta) }
    @inline(__always) public static func pathID(of prefix: IPv6Prefix) -> UInt32 { prefix.pathID }
    public static func route(_ prefix: IPv6Prefix) -> RoutePrefix { .ipv6(prefix) }

    public typealias Slot = KeyValueSlot<V6Key>
    public static var emptySlot: Slot { Slot(key: .empty, value: 0) }
    @inline(__always) public static func slot(_ key: V6Key, _ value: UInt64) -> Slot { Slot(key: key, value: value) }
    @inline(__always) public init(slot: Slot) { self = slot.key }
    @inline(__always) public static func value(of slot: Slot) -> UInt64 { slot.value }
    @inline(__always) public static func isEmpty(_ slot: Slot) -> Bool { slot.key.meta == 0 }
    @inline(__always) public func matches(_ slot: Slot) -> Bool { slot.key == self }
}

/// A 64-bit finaliser (from SplitMix64): every input bit reaches every
/// output bit, so sequential prefixes spread over the table.
@inlinable func mix(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
