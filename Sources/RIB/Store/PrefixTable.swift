import BGPCodec

/// The Loc-RIB's table: prefix key → one 64-bit word. Open addressing with
/// linear probing, split into 64 shards that grow one at a time by half
/// again, so a full table costs about 16-24 bytes per IPv4 prefix and a
/// growth never holds two copies of the whole table (the memory target of
/// the ingest benchmark is half of BIRD's). Each key sits in one slot with
/// its value, so a lookup touches one cache line, and an insert finds its
/// slot in the same walk that looks for the key. Deletion shifts entries
/// back, so there are no tombstones.
///
/// The shards start at different sizes (16 to 23 slots), so that they grow
/// at different counts rather than all at once: the table's load stays
/// near its mean (about 69%) at any size, and growth is spread over time.
public struct PrefixTable<Key: TableKey>: Sendable {
    struct Shard: Sendable {
        var slots: [Key.Slot] = []
        var count = 0
        /// The capacity of the first allocation.
        var firstCapacity: Int
    }
    static var shardBits: Int { 6 }
    var shards = (0..<64).map { Shard(firstCapacity: 16 + $0 / 8) }
    public private(set) var count = 0

    public init() {}

    @inline(__always) static func shardIndex(_ h: UInt64) -> Int { Int(truncatingIfNeeded: h >> 58) }
    /// Lemire's range reduction of the hash's low 32 bits to [0, capacity).
    @inline(__always) static func home(_ h: UInt64, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: ((h & 0xFFFF_FFFF) &* UInt64(capacity)) >> 32)
    }

    public subscript(key: Key) -> UInt64? {
        let h = key.hash64
        let s = Self.shardIndex(h)
        guard let i = shards[s].find(key, h) else { return nil }
        return Key.value(of: shards[s].slots[i])
    }

    /// Where `insertIfAbsent` found a key, to overwrite its value without
    /// looking for it again. Valid until the next insert or removal.
    public struct Position: Sendable {
        let shard: Int
        let index: Int
    }

    /// Stores `value` if the key is absent (nil), otherwise returns the
    /// value it has and where, unchanged: one walk for both.
    @inline(__always)
    public mutating func insertIfAbsent(_ key: Key, _ value: UInt64) -> (value: UInt64, at: Position)? {
        let h = key.hash64
        let s = Self.shardIndex(h)
        let (i, inserted) = shards[s].insertIfAbsent(key, h, value)
        if inserted {
            count += 1
            return nil
        }
        return (Key.value(of: shards[s].slots[i]), Position(shard: s, index: i))
    }

    /// Overwrites the value found by `insertIfAbsent`.
    @inline(__always)
    public mutating func setValue(_ value: UInt64, at p: Position) {
        shards[p.shard].slots[p.index] = Key.slot(Key(slot: shards[p.shard].slots[p.index]), value)
    }

    /// Sets the value; returns the previous one.
    @discardableResult
    public mutating func set(_ key: Key, _ value: UInt64) -> UInt64? {
        guard let (old, at) = insertIfAbsent(key, value) else { return nil }
        setValue(value, at: at)
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
            for slot in shard.slots where !Key.isEmpty(slot) {
                try body(Key(slot: slot), Key.value(of: slot))
            }
        }
    }

    /// Rewrites or removes (nil) every entry; used for a peer going down
    /// and for policy re-evaluation, which visit the whole table anyway.
    /// A shard that lost entries is rebuilt in one pass (and shrinks if
    /// it became mostly empty), rather than shifting entries back one
    /// removal at a time.
    public mutating func update(_ body: (Key, UInt64) throws -> UInt64?) rethrows {
        for s in shards.indices {
            let removed = try shards[s].update(body)
            count -= removed
        }
    }

    /// Bytes held by the slots, for the benchmark notes.
    public var slotBytes: Int {
        shards.reduce(0) { $0 + $1.slots.capacity * MemoryLayout<Key.Slot>.stride }
    }
}

extension PrefixTable.Shard {
    func find(_ key: Key, _ h: UInt64) -> Int? {
        slots.withUnsafeBufferPointer { buf in
            let cap = buf.count
            guard cap > 0 else { return nil }
            var i = PrefixTable.home(h, cap)
            while true {
                if key.matches(buf[i]) { return i }
                if Key.isEmpty(buf[i]) { return nil }
                i &+= 1
                if i == cap { i = 0 }
            }
        }
    }

    /// The slot of the key, and whether it was added with `value`.
    @inline(__always)
    mutating func insertIfAbsent(_ key: Key, _ h: UInt64, _ value: UInt64) -> (Int, Bool) {
        // Grow at 85% full, by half again.
        if (count &+ 1) &* 100 > slots.count &* 85 { grow() }
        let (i, inserted) = slots.withUnsafeMutableBufferPointer { buf -> (Int, Bool) in
            let cap = buf.count
            var i = PrefixTable.home(h, cap)
            while true {
                if key.matches(buf[i]) { return (i, false) }
                if Key.isEmpty(buf[i]) {
                    buf[i] = Key.slot(key, value)
                    return (i, true)
                }
                i &+= 1
                if i == cap { i = 0 }
            }
        }
        if inserted { count &+= 1 }
        return (i, inserted)
    }

    mutating func remove(_ key: Key, _ h: UInt64) -> UInt64? {
        guard var i = find(key, h) else { return nil }
        let old = Key.value(of: slots[i])
        slots.withUnsafeMutableBufferPointer { buf in
            let cap = buf.count
            // Backward-shift deletion: move later entries of the run into
            // the hole when their home slot allows it.
            var j = i
            while true {
                j += 1
                if j == cap { j = 0 }
                if Key.isEmpty(buf[j]) { break }
                let home = PrefixTable.home(Key(slot: buf[j]).hash64, cap)
                // The entry at j may move to i if its home is not in (i, j].
                let between = i <= j ? (home > i && home <= j) : (home > i || home <= j)
                if !between {
                    buf[i] = buf[j]
                    i = j
                }
            }
            buf[i] = Key.emptySlot
        }
        count -= 1
        return old
    }

    /// Rewrites or removes every entry; returns how many were removed.
    mutating func update(_ body: (Key, UInt64) throws -> UInt64?) rethrows -> Int {
        var removed = 0
        try slots.withUnsafeMutableBufferPointer { buf in
            for i in buf.indices where !Key.isEmpty(buf[i]) {
                let k = Key(slot: buf[i])
                if let v = try body(k, Key.value(of: buf[i])) {
                    buf[i] = Key.slot(k, v)
                } else {
                    buf[i] = Key.emptySlot
                    removed += 1
                }
            }
        }
        if removed > 0 {
            count -= removed
            rebuild()
        }
        return removed
    }

    /// Places the entries again after removals left holes in their runs,
    /// in the smallest capacity of the growth sequence that holds them
    /// below the growth threshold (no larger than now).
    mutating func rebuild() {
        var cap = firstCapacity
        while count * 100 > cap * 85 { cap += cap / 2 }
        let old = slots
        slots = count == 0 ? [] : [Key.Slot](repeating: Key.emptySlot, count: min(cap, old.count))
        place(old)
    }

    /// Puts entries known to be absent into `slots`: no key comparisons.
    mutating func place(_ entries: [Key.Slot]) {
        let cap = slots.count
        slots.withUnsafeMutableBufferPointer { dst in
            entries.withUnsafeBufferPointer { src in
                for slot in src where !Key.isEmpty(slot) {
                    var i = PrefixTable.home(Key(slot: slot).hash64, cap)
                    while !Key.isEmpty(dst[i]) {
                        i &+= 1
                        if i == cap { i = 0 }
                    }
                    dst[i] = slot
                }
            }
        }
    }

    /// Moves every entry into slots half as many again (the first time,
    /// `firstCapacity`): one pass, no key comparisons, as every key is new.
    mutating func grow() {
        let newCap = slots.isEmpty ? firstCapacity : slots.count + slots.count / 2
        let old = slots
        slots = [Key.Slot](repeating: Key.emptySlot, count: newCap)
        place(old)
    }
}
