/// One shard of a `PrefixTable`: open addressing with linear probing over
/// `capacity` slots it allocates itself. Its owner (`TableStorage`) frees
/// the slots and copies them; every method here assumes the storage is
/// not shared.
struct Shard<Key: TableKey> {
    private(set) var slots: UnsafeMutablePointer<Key.Slot>?
    private(set) var capacity = 0
    private(set) var count = 0
    /// The count at which the next insert grows the shard (85% full).
    private var limit = 0
    /// The capacity of the first allocation.
    let firstCapacity: Int

    init(firstCapacity: Int) {
        self.firstCapacity = firstCapacity
    }

    /// Lemire's range reduction of the hash's low 32 bits to [0, capacity).
    @inline(__always) static func home(_ h: UInt64, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: ((h & 0xFFFF_FFFF) &* UInt64(capacity)) >> 32)
    }

    @inline(__always) subscript(i: Int) -> Key.Slot {
        get { slots![i] }
        nonmutating set { slots![i] = newValue }
    }

    func find(_ key: Key, _ h: UInt64) -> Int? {
        guard let slots else { return nil }
        var i = Self.home(h, capacity)
        while true {
            if key.matches(slots[i]) { return i }
            if Key.isEmpty(slots[i]) { return nil }
            i &+= 1
            if i == capacity { i = 0 }
        }
    }

    /// The slot of the key, and whether it was added there with `value`.
    @inline(__always)
    mutating func insertIfAbsent(_ key: Key, _ h: UInt64, _ value: UInt64) -> (index: Int, inserted: Bool) {
        if count == limit { grow() }
        let slots = slots!, end = slots + capacity
        var p = slots + Self.home(h, capacity)
        while true {
            if key.matches(p.pointee) { return (p - slots, false) }
            if Key.isEmpty(p.pointee) {
                p.pointee = Key.slot(key, value)
                count &+= 1
                return (p - slots, true)
            }
            p += 1
            if p == end { p = slots }
        }
    }

    mutating func remove(_ key: Key, _ h: UInt64) -> UInt64? {
        guard var i = find(key, h), let slots else { return nil }
        let old = Key.value(of: slots[i])
        // Backward-shift deletion: move later entries of the run into the
        // hole when their home slot allows it.
        var j = i
        while true {
            j += 1
            if j == capacity { j = 0 }
            if Key.isEmpty(slots[j]) { break }
            let home = Self.home(Key(slot: slots[j]).hash64, capacity)
            // The entry at j may move to i if its home is not in (i, j].
            let between = i <= j ? (home > i && home <= j) : (home > i || home <= j)
            if !between {
                slots[i] = slots[j]
                i = j
            }
        }
        slots[i] = Key.emptySlot
        count -= 1
        return old
    }

    /// Rewrites or removes (nil) every entry; returns how many went. A
    /// shard that lost entries is rebuilt in one pass, and shrinks if it
    /// became mostly empty, rather than shifting back one removal at a time.
    mutating func update(_ body: (Key, UInt64) throws -> UInt64?) rethrows -> Int {
        guard let slots else { return 0 }
        var removed = 0
        for i in 0..<capacity where !Key.isEmpty(slots[i]) {
            let k = Key(slot: slots[i])
            if let v = try body(k, Key.value(of: slots[i])) {
                slots[i] = Key.slot(k, v)
            } else {
                slots[i] = Key.emptySlot
                removed += 1
            }
        }
        if removed > 0 {
            count -= removed
            // The smallest capacity of the growth sequence that holds the
            // rest below the growth threshold.
            var cap = firstCapacity
            while count >= Self.limit(cap) { cap *= 2 }
            resize(count == 0 ? 0 : min(cap, capacity))
        }
        return removed
    }

    static func limit(_ capacity: Int) -> Int { capacity * 85 / 100 }

    /// Twice the slots (the first time, `firstCapacity`).
    mutating func grow() {
        resize(capacity == 0 ? firstCapacity : capacity * 2)
    }

    /// Moves every entry into `newCapacity` fresh slots: one pass, no key
    /// comparisons, as the keys are distinct.
    mutating func resize(_ newCapacity: Int) {
        let old = slots, oldCapacity = capacity
        slots = nil
        if newCapacity > 0 {
            let fresh = UnsafeMutablePointer<Key.Slot>.allocate(capacity: newCapacity)
            fresh.initialize(repeating: Key.emptySlot, count: newCapacity)
            let end = fresh + newCapacity
            for j in 0..<oldCapacity where !Key.isEmpty(old![j]) {
                var p = fresh + Self.home(Key(slot: old![j]).hash64, newCapacity)
                while !Key.isEmpty(p.pointee) {
                    p += 1
                    if p == end { p = fresh }
                }
                p.pointee = old![j]
            }
            slots = fresh
        }
        old?.deallocate()
        capacity = newCapacity
        limit = Self.limit(newCapacity)
    }

    /// A copy with slots of its own.
    func copy() -> Shard {
        var c = self
        if let slots {
            c.slots = UnsafeMutablePointer<Key.Slot>.allocate(capacity: capacity)
            c.slots!.initialize(from: slots, count: capacity)
        }
        return c
    }

    func deallocate() { slots?.deallocate() }
}

/// The 64 shards of one table, owned by one object so that a copied table
/// shares them until either copy changes (copy on write, checked once per
/// operation or per UPDATE, not per slot).
final class TableStorage<Key: TableKey>: @unchecked Sendable {
    static var shardCount: Int { 64 }
    let shards: UnsafeMutablePointer<Shard<Key>>
    var count = 0

    init() {
        shards = .allocate(capacity: Self.shardCount)
        // The shards start at different sizes (16 to 31 slots), so that
        // they grow at different counts rather than all at once.
        for s in 0..<Self.shardCount { (shards + s).initialize(to: Shard(firstCapacity: 16 + s / 4)) }
    }

    func copy() -> TableStorage {
        let c = TableStorage()
        for s in 0..<Self.shardCount { c.shards[s] = shards[s].copy() }
        c.count = count
        return c
    }

    deinit {
        for s in 0..<Self.shardCount { shards[s].deallocate() }
        shards.deinitialize(count: Self.shardCount)
        shards.deallocate()
    }
}
