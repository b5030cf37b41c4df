/// A prefix in an NLRI or withdrawn-routes field is longer than its address
/// family allows, or runs past the end of the field.
public struct InvalidNLRI: Error, Hashable, Sendable {
    public init() {}
}

/// The hot path: packed prefixes (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3)
/// into arrays of inline structs, in one pass. The array is allocated once
/// with room for the most prefixes the field could hold (one byte each, five
/// with a path id); decoded UPDATEs are short-lived, as the RIB keeps routes
/// in its own tables, so the slack costs nothing lasting.
@usableFromInline
enum NLRICodec {
    /// A mask of the `len` high bits, without a branch for 0.
    @inlinable @inline(__always)
    static func mask32(_ len: UInt8) -> UInt32 {
        UInt32(truncatingIfNeeded: UInt64(UInt32.max) &<< UInt64(32 &- UInt32(len)))
    }

    @inlinable
    static func decodeIPv4(_ r: ByteReader, addPath: Bool) throws(InvalidNLRI) -> [IPv4Prefix] {
        guard r.remaining > 0, let base = r.base else { return [] }
        let start = r.position, end = r.end
        let idBytes = addPath ? 4 : 0
        var failed = false
        let out = [IPv4Prefix](unsafeUninitializedCapacity: r.remaining / (1 + idBytes) + 1) { buf, initialized in
            let dst = buf.baseAddress!
            var p = start
            var i = 0
            if !addPath {
                // Fast path: while a 4-byte read after the length byte stays
                // inside the field, a valid length cannot overrun it either.
                while end &- p >= 5 {
                    let len = base.load(fromByteOffset: p, as: UInt8.self)
                    guard len <= 32 else { failed = true; break }
                    let v = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: p &+ 1, as: UInt32.self))
                    (dst + i).initialize(to: IPv4Prefix(IPv4Address(v & mask32(len)), len))
                    i &+= 1
                    p = p &+ ((Int(len) &+ 15) &>> 3)  // 1 + ceil(len / 8), one step shorter
                }
            }
            while p < end && !failed {
                var id: UInt32 = 0
                if addPath {
                    guard end - p > 4 else { failed = true; break }
                    id = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: p, as: UInt32.self))
                    p += 4
                }
                let len = base.load(fromByteOffset: p, as: UInt8.self)
                let nbytes = (Int(len) &+ 7) &>> 3
                let next = p &+ 1 &+ nbytes
                guard len <= 32, next <= end else { failed = true; break }
                var v: UInt32
                if end &- p >= 5 {
                    v = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: p &+ 1, as: UInt32.self))
                } else {
                    v = 0
                    for k in 0..<nbytes {
                        v |= UInt32(base.load(fromByteOffset: p &+ 1 &+ k, as: UInt8.self)) &<< (24 &- 8 &* UInt32(k))
                    }
                }
                (dst + i).initialize(to: IPv4Prefix(IPv4Address(v & mask32(len)), len, pathID: id))
                i &+= 1
                p = next
            }
            initialized = i
        }
        if failed { throw InvalidNLRI() }
        return out
    }

    @inlinable
    static func decodeIPv6(_ r: ByteReader, addPath: Bool) throws(InvalidNLRI) -> [IPv6Prefix] {
        guard r.remaining > 0, let base = r.base else { return [] }
        let start = r.position, end = r.end
        let idBytes = addPath ? 4 : 0
        var failed = false
        let out = [IPv6Prefix](unsafeUninitializedCapacity: r.remaining / (1 + idBytes) + 1) { buf, initialized in
            let dst = buf.baseAddress!
            var p = start
            var i = 0
            if !addPath {
                // Fast path, as for IPv4, with two 8-byte reads.
                while end &- p >= 17 {
                    let len = base.load(fromByteOffset: p, as: UInt8.self)
                    guard len <= 128 else { failed = true; break }
                    let h = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: p &+ 1, as: UInt64.self))
                    let l = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: p &+ 9, as: UInt64.self))
                    let (mh, ml) = IPv6Prefix.mask(len)
                    (dst + i).initialize(to: IPv6Prefix(IPv6Address(high: h & mh, low: l & ml), len))
                    i &+= 1
                    p = p &+ ((Int(len) &+ 15) &>> 3)  // 1 + ceil(len / 8), one step shorter
                }
            }
            while p < end && !failed {
                var id: UInt32 = 0
                if addPath {
                    guard end - p > 4 else { failed = true; break }
                    id = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: p, as: UInt32.self))
                    p += 4
                }
                let len = base.load(fromByteOffset: p, as: UInt8.self)
                let nbytes = (Int(len) &+ 7) &>> 3
                let next = p &+ 1 &+ nbytes
                guard len <= 128, next <= end else { failed = true; break }
                var h: UInt64 = 0, l: UInt64 = 0
                if end &- p >= 17 {
                    h = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: p &+ 1, as: UInt64.self))
                    l = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: p &+ 9, as: UInt64.self))
                } else {
                    for k in 0..<nbytes {
                        let b = UInt64(base.load(fromByteOffset: p &+ 1 &+ k, as: UInt8.self))
                        if k < 8 { h |= b &<< (56 &- 8 &* UInt64(k)) } else { l |= b &<< (56 &- 8 &* UInt64(k &- 8)) }
                    }
                }
                let (mh, ml) = IPv6Prefix.mask(len)
                (dst + i).initialize(to: IPv6Prefix(IPv6Address(high: h & mh, low: l & ml), len, pathID: id))
                i &+= 1
                p = next
            }
            initialized = i
        }
        if failed { throw InvalidNLRI() }
        return out
    }

    // MARK: encoding

    @inlinable
    static func encodedSize(_ p: IPv4Prefix, addPath: Bool) -> Int {
        (addPath ? 5 : 1) + (Int(p.length) + 7) >> 3
    }

    @inlinable
    static func encodedSize(_ p: IPv6Prefix, addPath: Bool) -> Int {
        (addPath ? 5 : 1) + (Int(p.length) + 7) >> 3
    }

    @inlinable
    static func encode(_ p: IPv4Prefix, addPath: Bool, into w: inout ByteWriter) {
        if addPath { w.u32(p.pathID) }
        let len = min(p.length, 32)
        w.u8(len)
        let v = p.address.value
        for k in 0..<((Int(len) + 7) >> 3) {
            w.u8(UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32(k))))
        }
    }

    @inlinable
    static func encode(_ p: IPv6Prefix, addPath: Bool, into w: inout ByteWriter) {
        if addPath { w.u32(p.pathID) }
        let len = min(p.length, 128)
        w.u8(len)
        for k in 0..<((Int(len) + 7) >> 3) {
            let half = k < 8 ? p.address.high : p.address.low
            w.u8(UInt8(truncatingIfNeeded: half >> (56 - 8 * UInt64(k & 7))))
        }
    }
}
