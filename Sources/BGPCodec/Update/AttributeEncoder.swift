/// Encodes path attributes. Without wire detail the order is RFC 7606
/// §5.1's: MP_UNREACH and MP_REACH first, then ascending type code. With the
/// detail of a decoded UPDATE, its order and flags come back unchanged.
enum AttributeEncoder {
    static func encode(_ a: PathAttributes, wire: UpdateMessage.WireDetail, context: CodecContext, into w: inout ByteWriter) {
        var done = CodeSet()
        for packed in wire.packedOrder {
            let code = UInt8(packed >> 8), flags = UInt8(packed & 0xFF)
            if !done.contains(code) && emit(code: code, flags: flags, a, context: context, into: &w) { done.insert(code) }
        }
        // MP_UNREACH, MP_REACH, then ascending codes (RFC 4271 §5 SHOULD).
        let rest = a.presentCodes.sorted { x, y in
            let mx = x == AttributeCode.mpUnreach ? 0 : (x == AttributeCode.mpReach ? 1 : 2)
            let my = y == AttributeCode.mpUnreach ? 0 : (y == AttributeCode.mpReach ? 1 : 2)
            return (mx, x) < (my, y)
        }
        for code in rest where !done.contains(code) {
            if emit(code: code, flags: nil, a, context: context, into: &w) { done.insert(code) }
        }
    }

    /// Writes one attribute if present. `flags` nil means the defaults.
    private static func emit(code: UInt8, flags: UInt8?, _ a: PathAttributes, context: CodecContext, into w: inout ByteWriter) -> Bool {
        var v = ByteWriter(capacity: 32)
        var f: UInt8
        if let d = AttributeCode.descriptor(code) {
            guard value(code: code, a, context: context, into: &v) else { return false }
            f = flags ?? d.requiredFlags
        } else {
            guard let u = a.unknown.first(where: { $0.code == code }) else { return false }
            v.append(u.data)
            f = flags ?? u.flags
            if flags != nil { f = (f & ~AttributeFlags.partial) | (u.flags & AttributeFlags.partial) }
        }
        let n = min(v.count, 65535)
        if n > 255 { f |= AttributeFlags.extendedLength }
        w.u8(f)
        w.u8(code)
        if f & AttributeFlags.extendedLength != 0 { w.u16(UInt16(n)) } else { w.u8(UInt8(n)) }
        w.append(v.bytes.prefix(n))
        return true
    }

    private static func value(code: UInt8, _ a: PathAttributes, context: CodecContext, into v: inout ByteWriter) -> Bool {
        switch code {
        case AttributeCode.origin:
            guard let o = a.origin else { return false }
            v.u8(o.rawValue)
        case AttributeCode.asPath:
            guard let p = a.asPath else { return false }
            ASPathCodec.encode(p, fourOctet: context.fourOctetAS, into: &v)
        case AttributeCode.nextHop:
            guard let nh = a.nextHop else { return false }
            v.u32(nh.value)
        case AttributeCode.med:
            guard let m = a.med else { return false }
            v.u32(m)
        case AttributeCode.localPref:
            guard let l = a.localPref else { return false }
            v.u32(l)
        case AttributeCode.atomicAggregate:
            guard a.atomicAggregate else { return false }
        case AttributeCode.aggregator:
            guard let g = a.aggregator else { return false }
            if context.fourOctetAS { v.u32(g.asn) } else { v.u16(g.asn > 0xFFFF ? OpenMessage.asTrans : UInt16(g.asn)) }
            v.u32(g.address.value)
        case AttributeCode.communities:
            guard let c = a.communities else { return false }
            for x in c { v.u32(x) }
        case AttributeCode.originatorID:
            guard let o = a.originatorID else { return false }
            v.u32(o.value)
        case AttributeCode.clusterList:
            guard let c = a.clusterList else { return false }
            for x in c { v.u32(x.value) }
        case AttributeCode.mpReach:
            guard let m = a.mpReach else { return false }
            MPCodec.encodeReach(m, context: context, into: &v)
        case AttributeCode.mpUnreach:
            guard let m = a.mpUnreach else { return false }
            MPCodec.encodeUnreach(m, context: context, into: &v)
        case AttributeCode.extendedCommunities:
            guard let c = a.extendedCommunities else { return false }
            for x in c { v.u64(x) }
        case AttributeCode.as4Path:
            guard let p = a.as4Path else { return false }
            ASPathCodec.encode(p, fourOctet: true, into: &v)
        case AttributeCode.as4Aggregator:
            guard let g = a.as4Aggregator else { return false }
            v.u32(g.asn); v.u32(g.address.value)
        case AttributeCode.largeCommunities:
            guard let c = a.largeCommunities else { return false }
            for x in c { v.u32(x.global); v.u32(x.local1); v.u32(x.local2) }
        case AttributeCode.otc:
            guard let o = a.otc else { return false }
            v.u32(o)
        default:
            return false
        }
        return true
    }
}

extension UpdateMessage {
    func encodeBody(context: CodecContext, into w: inout ByteWriter) {
        let addPath = context.usesAddPath(.ipv4Unicast)
        let wAt = w.count
        w.u16(0)
        for p in withdrawn { NLRICodec.encode(p, addPath: addPath, into: &w) }
        w.patchU16(at: wAt, UInt16(truncatingIfNeeded: w.count - wAt - 2))
        let aAt = w.count
        w.u16(0)
        AttributeEncoder.encode(attributes, wire: wire, context: context, into: &w)
        w.patchU16(at: aAt, UInt16(truncatingIfNeeded: w.count - aAt - 2))
        for p in nlri { NLRICodec.encode(p, addPath: addPath, into: &w) }
    }
}
