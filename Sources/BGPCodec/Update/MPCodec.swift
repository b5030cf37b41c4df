/// MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760), next hops per RFC 2545 and
/// RFC 8950. IPv4/IPv6 unicast and multicast are decoded; other families are
/// kept as bytes.
enum MPCodec {
    typealias Fault = AttributeParser.ValueFault

    static func decodeReach(_ v: inout ByteReader, context: CodecContext) throws(Fault) -> MPReach {
        guard let afi = try? v.u16(), let safi = try? v.u8() else { throw .mp(nil) }
        let family = AddressFamily(afi: afi, safi: safi)
        guard let nhLen = try? v.u8(), var nhr = try? v.sub(Int(nhLen)), let reserved = try? v.u8() else {
            throw .mp(family)
        }
        guard family.isDecodedPrefixFamily else {
            return MPReach(family: family, nextHop: .opaque(nhr.rest()), nlri: .opaque(v.rest()), reserved: reserved)
        }
        let nextHop: NextHop
        switch (family.afi, nhLen) {
        case (.ipv4, 4):
            nextHop = .ipv4(IPv4Address((try? nhr.u32()) ?? 0))
        case (_, 16), (_, 32):
            // IPv6, or IPv4 NLRI with an IPv6 next hop (RFC 8950).
            let g = IPv6Address(high: (try? nhr.u64()) ?? 0, low: (try? nhr.u64()) ?? 0)
            var ll: IPv6Address? = nil
            if nhLen == 32 { ll = IPv6Address(high: (try? nhr.u64()) ?? 0, low: (try? nhr.u64()) ?? 0) }
            nextHop = .ipv6(g, linkLocal: ll)
        default:
            throw .mp(family)
        }
        let nlri = try prefixes(v, family: family, context: context)
        v.position = v.end
        return MPReach(family: family, nextHop: nextHop, nlri: nlri, reserved: reserved)
    }

    static func decodeUnreach(_ v: inout ByteReader, context: CodecContext) throws(Fault) -> MPUnreach {
        guard let afi = try? v.u16(), let safi = try? v.u8() else { throw .mp(nil) }
        let family = AddressFamily(afi: afi, safi: safi)
        guard family.isDecodedPrefixFamily else {
            return MPUnreach(family: family, withdrawn: .opaque(v.rest()))
        }
        let w = try prefixes(v, family: family, context: context)
        v.position = v.end
        return MPUnreach(family: family, withdrawn: w)
    }

    private static func prefixes(_ r: ByteReader, family: AddressFamily, context: CodecContext) throws(Fault) -> MPPrefixes {
        let addPath = context.usesAddPath(family)
        do {
            if family.afi == .ipv4 { return .ipv4(try NLRICodec.decodeIPv4(r, addPath: addPath)) }
            return .ipv6(try NLRICodec.decodeIPv6(r, addPath: addPath))
        } catch {
            throw .mp(family)
        }
    }

    static func encodeReach(_ m: MPReach, context: CodecContext, into w: inout ByteWriter) {
        w.u16(m.family.afi.rawValue)
        w.u8(m.family.safi.rawValue)
        switch m.nextHop {
        case .ipv4(let a):
            w.u8(4); w.u32(a.value)
        case .ipv6(let g, let ll):
            w.u8(ll == nil ? 16 : 32)
            w.u64(g.high); w.u64(g.low)
            if let ll { w.u64(ll.high); w.u64(ll.low) }
        case .opaque(let b):
            w.u8(UInt8(min(b.count, 255))); w.append(b.prefix(255))
        }
        w.u8(m.reserved)
        encodePrefixes(m.nlri, family: m.family, context: context, into: &w)
    }

    static func encodeUnreach(_ m: MPUnreach, context: CodecContext, into w: inout ByteWriter) {
        w.u16(m.family.afi.rawValue)
        w.u8(m.family.safi.rawValue)
        encodePrefixes(m.withdrawn, family: m.family, context: context, into: &w)
    }

    static func encodePrefixes(_ p: MPPrefixes, family: AddressFamily, context: CodecContext, into w: inout ByteWriter) {
        let addPath = context.usesAddPath(family)
        switch p {
        case .ipv4(let list): for x in list { NLRICodec.encode(x, addPath: addPath, into: &w) }
        case .ipv6(let list): for x in list { NLRICodec.encode(x, addPath: addPath, into: &w) }
        case .opaque(let b): w.append(b)
        }
    }
}
