import BGPCodec
@testable import RIB
import TestSupport
import Testing

@Suite struct PrefixTableTests {
    /// The seeded generator for a test's seed, so a failure replays. The
    /// offset keeps the streams these seeds have always drawn: the
    /// generator these tests first had added the increment twice.
    static func rng(seed: UInt64) -> SplitMix64 { SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15) }

    @Test(arguments: [1, 2, 3])
    func matchesADictionaryUnderRandomInsertsAndRemovals(seed: UInt64) {
        var rng = Self.rng(seed: seed)
        var table = PrefixTable<V4Key>()
        var model: [V4Key: UInt64] = [:]
        // Few distinct keys, so removals hit and probe runs wrap and shift.
        for step in 0..<60_000 {
            let p = IPv4Prefix(IPv4Address(UInt32.random(in: 0..<4000, using: &rng) << 8), 24)
            let k = V4Key(p)
            if Bool.random(using: &rng) || step < 2000 {
                let v = UInt64(step)
                #expect(table.set(k, v) == model.updateValue(v, forKey: k))
            } else {
                #expect(table.remove(k) == model.removeValue(forKey: k))
            }
        }
        #expect(table.count == model.count)
        for (k, v) in model { #expect(table[k] == v) }
        var seen = 0
        table.forEach { k, v in
            seen += 1
            #expect(model[k] == v)
        }
        #expect(seen == model.count)
    }

    @Test func ipv6KeysKeepLengthApart() {
        var table = PrefixTable<V6Key>()
        let a = IPv6Prefix("2001:db8::/32")!, b = IPv6Prefix("2001:db8::/48")!
        table.set(V6Key(a), 1)
        table.set(V6Key(b), 2)
        #expect(table[V6Key(a)] == 1 && table[V6Key(b)] == 2 && table.count == 2)
        #expect(V6Key(b).prefix == b)
        table.remove(V6Key(a))
        #expect(table[V6Key(a)] == nil && table[V6Key(b)] == 2)
    }

    @Test func removalsInOnePassKeepTheRestAndGiveMemoryBack() {
        var table = PrefixTable<V4Key>()
        let keys = (0..<100_000).map { V4Key(IPv4Prefix(IPv4Address(UInt32($0) << 8), 24)) }
        for (i, k) in keys.enumerated() { table.set(k, UInt64(i)) }
        let full = table.slotBytes
        // Keep one in ten, doubled.
        table.update { k, v in v % 10 == 0 ? v * 2 : nil }
        #expect(table.count == 10_000 && table.slotBytes < full / 4)
        for (i, k) in keys.enumerated() { #expect(table[k] == (i % 10 == 0 ? UInt64(i * 2) : nil)) }
        table.update { _, _ in nil }
        #expect(table.count == 0 && table.slotBytes == 0 && table[keys[0]] == nil)
        table.set(keys[5], 5)
        #expect(table[keys[5]] == 5 && table.count == 1)
    }

    @Test func aCopyKeepsItsEntriesWhenTheOriginalChanges() {
        var a = PrefixTable<V4Key>()
        let k = (0..<1000).map { V4Key(IPv4Prefix(IPv4Address(UInt32($0) << 12), 20)) }
        for i in 0..<500 { a.set(k[i], UInt64(i)) }
        let b = a
        for i in 500..<1000 { a.set(k[i], UInt64(i)) }
        a.remove(k[0])
        a.set(k[1], 77)
        #expect(b.count == 500 && b[k[0]] == 0 && b[k[1]] == 1 && b[k[700]] == nil)
        #expect(a.count == 999 && a[k[0]] == nil && a[k[1]] == 77 && a[k[700]] == 700)
    }

    @Test func anIPv4SlotKeepsEveryLengthAndAPathWord() {
        var table = PrefixTable<V4Key>()
        let widest = Path(attributes: .max, peer: .max, flags: 0xF).packed
        for len in 0...32 {
            let p = IPv4Prefix(IPv4Address(len == 0 ? 0 : UInt32.max << (32 - UInt32(len))), UInt8(len))
            table.set(V4Key(p), widest - UInt64(len))
        }
        #expect(table.count == 33)
        table.forEach { k, v in #expect(v == widest - UInt64(k.prefix.length)) }
        #expect(table[V4Key(IPv4Prefix(IPv4Address(0xFFFF_FF00), 24))] == widest - 24)
        #expect(table[V4Key(IPv4Prefix(IPv4Address(0xFFFF_FF00), 23))] == nil)
    }

    @Test func aMillionPrefixesFitInTwentyFiveBytesEach() {
        var table = PrefixTable<V4Key>()
        for i in 0..<1_000_000 { table.set(V4Key(IPv4Prefix(IPv4Address(UInt32(i) << 8), 24)), UInt64(i)) }
        #expect(table.count == 1_000_000)
        #expect(table.slotBytes < 25 * 1_000_000)
        #expect(table[V4Key(IPv4Prefix(IPv4Address(UInt32(777_777) << 8), 24))] == 777_777)
    }
}
