/// A prefix in an NLRI or withdrawn-routes field is longer than its address
/// family allows, or runs past the end of the field.
public struct InvalidNLRI: Error, Hashable, Sendable {
    public init() {}
}

/// The hot path: packed prefixes (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3)
/// into arrays of inline structs. A first pass validates and counts, so the
/// second allocates exactly once and writes without bounds checks.
@usableFromInline
enum NLRICodec {
    /// Validates the field and returns the number of prefixes in it.
    @inlinable
    static func count(_ base: UnsafeRawPointer, _ start: Int, _ end: Int, maxBits: UInt8, addPath: Bool) throws(InvalidNLRI) -> Int {
        var p = start
        var n = 0
        let idBytes = addPath ? 4 : 0
        while p < end {
            p += idBytes
            guard p < end else { throw InvalidNLRI() }
            let len = base.load(fromByteOffset: p, as: UInt8.self)
            guard len <= maxBits else { throw InvalidNLRI() }
            p += 1 + (Int(len) + 7) >> 3
            guard p <= end else { throw InvalidNLRI() }
            n += 1
        }
        return n
    }

    @inlinable
    static func decodeIPv4(_ r: ByteReader, addPath: Bool) throws(InvalidNLRI) -> [IPv4Prefix] {
        guard r.remaining > 0, let base = r.base else { return [] }
        let start = r.position, end = r.end
        let n = try count(base, start, end, maxBits: 32, addPath: addPath)
        return [IPv4Prefix](unsafeUninitializedCapacity: n) { out, initialized in
            var p = start
            for i in 0..<n {
                var id: UInt32 = 0
                if addPath {
                    id = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: p, as: UInt32.self))
                    p += 4
                }
                let len = base.load(fromByteOffset: p, as: UInt8.self)
                p += 1
                let nbytes = (Int(len) + 7) >> 3
                var v: UInt32
                if end - p >= 4 {
                    v = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: p, as: UInt32.self))
                } else {
                    v = 0
                    for k in 0..<nbytes {
                        v |= UInt32(base.load(fromByteOffset: p + k, as: UInt8.self)) << (24 - 8 * UInt32(k))
                    }
                }
                v &= IPv4Prefix.mask(len)
                (out.baseAddress! + i).initialize(to: IPv4Prefix(IPv4Address(v), len, pathID: id))
                p += nbytes
            }
            initialized = n
        }
    }

    @inlinable
    static func decodeIPv6(_ r: ByteReader, addPath: Bool) throws(InvalidNLRI) -> [IPv6Prefix] {
        guard r.remaining > 0, let base = r.base else { return [] }
        let start = r.position, end = r.end
        let n = try count(base, start, end, maxBits: 128, addPath: addPath)
        return [IPv6Prefix](unsafeUninitializedCapacity: n) { out, initialized in
            var p = start
            for i in 0..<n {
                var id: UInt32 = 0
                if addPath {
                    id = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: p, as: UInt32.self))
                    p += 4
                }
                let len = base.load(fromByteOffset: p, as: UInt8.self)
                p += 1
                let nbytes = (Int(len) + 7) >> 3
                var h: UInt64 = 0, l: UInt64 = 0
                if end - p >= 16 {
                    h = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: p, as: UInt64.self))
                    l = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: p + 8, as: UInt64.self))
                } else {
                    for k in 0..<nbytes {
                        let b = UInt64(base.load(fromByteOffset: p + k, as: UInt8.self))
                        if k < 8 { h |= b << (56 - 8 * UInt64(k)) } else { l |= b << (56 - 8 * UInt64(k - 8)) }
                    }
                }
                let (mh, ml) = IPv6Prefix.mask(len)
                (out.baseAddress! + i).initialize(to: IPv6Prefix(IPv6Address(high: h & mh, low: l & ml), len, pathID: id))
                p += nbytes
            }
            initialized = n
        }
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
