import BGPCodec

/// A key of `PrefixTable`: a prefix packed into fixed-size words. The
/// all-zero value marks an empty slot, so every real key has a set bit that
/// prefixes never use.
public protocol TableKey: Equatable, Sendable {
    static var empty: Self { get }
    /// A well-mixed 64-bit hash.
    var hash64: UInt64 { get }
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
}

/// A 64-bit finaliser (from SplitMix64): every input bit reaches every
/// output bit, so sequential prefixes spread over the table.
@inlinable func mix(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// The Loc-RIB's table: prefix key → one 64-bit word. Open addressing with
/// linear probing, split into 64 shards that grow one at a time by half
/// again, so a full table costs about 16-24 bytes per IPv4 prefix and a
/// growth never holds two copies of the whole table (the memory target of
/// the ingest benchmark is half of BIRD's). Deletion shifts entries back,
/// so there are no tombstones.
public struct PrefixTable<Key: TableKey>: Sendable {
    struct Shard: Sendable {
        var keys: [Key] = []
        var values: [UInt64] = []
        var count = 0
    }
    static var shardBits: Int { 6 }
    var shards = [Shard](repeating: Shard(), count: 1 << 6)
    public private(set) var count = 0

    public init() {}

    @inline(__always) static func shardIndex(_ h: UInt64) -> Int { Int(truncatingIfNeeded: h >> 58) }
    /// Lemire's range reduction of the hash's low 32 bits to [0, capacity).
    @inline(__always) static func home(_ h: UInt64, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: ((h & 0xFFFF_FFFF) &* UInt64(capacity)) >> 32)
    }

    public subscript(key: Key) -> UInt64? {
        get {
            let h = key.hash64
            let s = Self.shardIndex(h)
            return shards[s].find(key, h).map { shards[s].values[$0] }
        }
    }

    /// Sets the value; returns the previous one.
    @discardableResult
    public mutating func set(_ key: Key, _ value: UInt64) -> UInt64? {
        let h = key.hash64
        let s = Self.shardIndex(h)
        let old = shards[s].insert(key, h, value)
        if old == nil { count += 1 }
        return old
    }

    @discardableResult
    public mutating func remove(_ key: Key) -> UInt64? {
        let h = key.hash64
        let s = Self.shardIndex(h)
        let old = shards[s].remove(key, h)
        if old != nil { count -= 1 }
        return old
    }

    /// Every entry, in no particular order.
    public func forEach(_ body: (Key, UInt64) throws -> Void) rethrows {
        for shard in shards {
            for i in 0..<shard.keys.count where shard.keys[i] != Key.empty {
                try body(shard.keys[i], shard.values[i])
            }
        }
    }

    /// Rewrites or removes (nil) every entry; used for a peer going down
    /// and for policy re-evaluation, which visit the whole table anyway.
    public mutating func update(_ body: (Key, UInt64) -> UInt64?) {
        var removals: [Key] = []
        for s in shards.indices {
            for i in 0..<shards[s].keys.count where shards[s].keys[i] != Key.empty {
                if let v = body(shards[s].keys[i], shards[s].values[i]) {
                    shards[s].values[i] = v
                } else {
                    removals.append(shards[s].keys[i])
                }
            }
        }
        for k in removals { remove(k) }
    }

    /// Bytes held by the slots, for the benchmark notes.
    public var slotBytes: Int {
        shards.reduce(0) { $0 + $1.keys.capacity * MemoryLayout<Key>.stride + $1.values.capacity * 8 }
    }
}

extension PrefixTable.Shard {
    func find(_ key: Key, _ h: UInt64) -> Int? {
        let cap = keys.count
        guard cap > 0 else { return nil }
        var i = PrefixTable.home(h, cap)
        while true {
            let k = keys[i]
            if k == key { return i }
            if k == Key.empty { return nil }
            i += 1
            if i == cap { i = 0 }
        }
    }

    mutating func insert(_ key: Key, _ h: UInt64, _ value: UInt64) -> UInt64? {
        // Grow at 85% full, by half again (at least 16 slots).
        if (count + 1) * 100 > keys.count * 85 { grow() }
        let cap = keys.count
        var i = PrefixTable.home(h, cap)
        while true {
            let k = keys[i]
            if k == key {
                let old = values[i]
                values[i] = value
                return old
            }
            if k == Key.empty {
                keys[i] = key
                values[i] = value
                count += 1
                return nil
            }
            i += 1
            if i == cap { i = 0 }
        }
    }

    mutating func remove(_ key: Key, _ h: UInt64) -> UInt64? {
        guard var i = find(key, h) else { return nil }
        let old = values[i]
        let cap = keys.count
        // Backward-shift deletion: move later entries of the run into the
        // hole when their home slot allows it.
        var j = i
        while true {
            j += 1
            if j == cap { j = 0 }
            let k = keys[j]
            if k == Key.empty { break }
            let home = PrefixTable.home(k.hash64, cap)
            // The entry at j may move to i if its home is not in (i, j].
            let between = i <= j ? (home > i && home <= j) : (home > i || home <= j)
            if !between {
                keys[i] = k
                values[i] = values[j]
                i = j
            }
        }
        keys[i] = Key.empty
        values[i] = 0
        count -= 1
        return old
    }

    mutating func grow() {
        let newCap = max(16, keys.count + keys.count / 2)
        let oldKeys = keys
        let oldValues = values
        keys = [Key](repeating: Key.empty, count: newCap)
        values = [UInt64](repeating: 0, count: newCap)
        count = 0
        for i in 0..<oldKeys.count where oldKeys[i] != Key.empty {
            _ = insert(oldKeys[i], oldKeys[i].hash64, oldValues[i])
        }
    }
}
