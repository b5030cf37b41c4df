import BGPCodec

/// The Loc-RIB's table: prefix key → one 64-bit word. Open addressing with
/// linear probing, split into 64 shards that each double when 85% full,
/// so a growth never holds two copies of the whole table (the memory
/// target of the ingest benchmark is half of BIRD's). Each key sits in one
/// slot with its value (an IPv4 slot is 12 bytes, `V4Slot`), so a lookup
/// touches one cache line, and an insert finds its slot in the same walk
/// that looks for the key. Deletion shifts entries back, so there are no
/// tombstones.
///
/// The shards start at different sizes (16 to 31 slots), so that they grow
/// at different counts rather than all at once: a shard's load stays
/// between 42% and 85%, the whole table's near its mean (about 60%) at any
/// size, about 21 bytes per IPv4 prefix, and growth is spread over time.
/// Doubling rather than growing by half moves each entry once on average
/// instead of twice, and inserts probe fewer slots: 1M prefixes took 26%
/// fewer instructions (ingest-profile) for 20.7 MB of slots instead of
/// 17.4 MB.
/// A copy of the table shares the shards until one of the two changes.
public struct PrefixTable<Key: TableKey>: Sendable {
    var storage = TableStorage<Key>()

    public init() {}

    public var count: Int { storage.count }

    @inline(__always) static func shardIndex(_ h: UInt64) -> Int { Int(truncatingIfNeeded: h >> 58) }

    /// The shards, after making them this table's own.
    @inline(__always) mutating func writableShards() -> UnsafeMutablePointer<Shard<Key>> {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage.shards
    }

    public subscript(key: Key) -> UInt64? {
        let h = key.hash64
        let shard = storage.shards[Self.shardIndex(h)]
        return shard.find(key, h).map { Key.value(of: shard[$0]) }
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
        let shards = writableShards()
        let h = key.hash64
        let s = Self.shardIndex(h)
        let (i, inserted) = shards[s].insertIfAbsent(key, h, value)
        if inserted {
            storage.count += 1
            return nil
        }
        return (Key.value(of: shards[s][i]), Position(shard: s, index: i))
    }

    /// Overwrites the value found by `insertIfAbsent`.
    @inline(__always)
    public mutating func setValue(_ value: UInt64, at p: Position) {
        let shard = writableShards()[p.shard]
        shard[p.index] = Key.slot(Key(slot: shard[p.index]), value)
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
        let shards = writableShards()
        let h = key.hash64
        let old = shards[Self.shardIndex(h)].remove(key, h)
        if old != nil { storage.count -= 1 }
        return old
    }

    /// Inserts every key that is absent with `value`, in order, and calls
    /// `added(index in keys)` for it. For a key that is present,
    /// `present(index in keys, its value)` gives the value to store
    /// instead, or nil to leave it for the caller. The batch form of
    /// `insertIfAbsent`, with the copy-on-write check once for the batch.
    /// Returns how many keys were added.
    @inline(__always)
    public mutating func insertAll<C: RandomAccessCollection>(_ keys: C, _ value: UInt64, added: (Int) throws -> Void,
                                                              present: (Int, UInt64) throws -> UInt64?) rethrows -> Int
    where C.Element == Key, C.Index == Int {
        let shards = writableShards()
        var n = 0
        defer { storage.count += n }
        for k in keys.indices {
            let key = keys[k]
            let h = key.hash64
            let s = Self.shardIndex(h)
            let (i, inserted) = shards[s].insertIfAbsent(key, h, value)
            if inserted {
                n &+= 1
                try added(k)
            } else if let v = try present(k, Key.value(of: shards[s][i])) {
                shards[s][i] = Key.slot(key, v)
            }
        }
        return n
    }

    /// Every entry, in no particular order.
    public func forEach(_ body: (Key, UInt64) throws -> Void) rethrows {
        for s in 0..<TableStorage<Key>.shardCount {
            let shard = storage.shards[s]
            for i in 0..<shard.capacity where !Key.isEmpty(shard[i]) {
                try body(Key(slot: shard[i]), Key.value(of: shard[i]))
            }
        }
    }

    /// Rewrites or removes (nil) every entry; used for a peer going down
    /// and for policy re-evaluation, which visit the whole table anyway.
    /// A shard that lost entries is rebuilt in one pass (and shrinks if
    /// it became mostly empty).
    public mutating func update(_ body: (Key, UInt64) throws -> UInt64?) rethrows {
        let shards = writableShards()
        for s in 0..<TableStorage<Key>.shardCount {
            storage.count -= try shards[s].update(body)
        }
    }

    /// Bytes held by the slots, for the benchmark notes.
    public var slotBytes: Int {
        (0..<TableStorage<Key>.shardCount).reduce(0) { $0 + storage.shards[$1].capacity * MemoryLayout<Key.Slot>.stride }
    }
}
