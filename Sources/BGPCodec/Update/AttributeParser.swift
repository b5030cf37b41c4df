/// Walks the path attribute list of one UPDATE (RFC 4271 §4.3, §6.3) and
/// applies RFC 7606: it keeps going after a recoverable fault, so that the
/// most severe fault of the message decides, and records attribute discards.
struct AttributeParser {
    let context: CodecContext
    var attributes = PathAttributes()
    /// Code << 8 | flags, in wire order (see `UpdateMessage.WireDetail`).
    var order: [UInt16] = []
    var discarded: [UInt8] = []
    var worst: UpdateFault?
    private var seen = CodeSet()
    private var malformed = CodeSet()

    init(context: CodecContext) {
        self.context = context
        order.reserveCapacity(12)  // one allocation for a typical UPDATE's attributes
    }

    func sawMalformed(_ code: UInt8) -> Bool { malformed.contains(code) }

    private mutating func fault(_ f: UpdateFault) {
        if let c = f.attributeCode { malformed.insert(c) }
        if f.action == .attributeDiscard, let c = f.attributeCode {
            discarded.append(c)
        }
        if worst == nil || f.action > worst!.action { worst = f }
    }

    mutating func parse(_ r: inout ByteReader) {
        while !r.isAtEnd {
            let start = r.position
            // RFC 7606 §4, case 2: too few bytes left for a header.
            guard r.remaining >= 3, let flags = r.peek(0), let code = r.peek(1) else {
                fault(.attributeHeaderTruncated)
                return
            }
            let ext = flags & AttributeFlags.extendedLength != 0
            guard !ext || r.remaining >= 4 else {
                fault(.attributeHeaderTruncated)
                return
            }
            r.position += 2
            let len = ext ? Int((try? r.u16()) ?? 0) : Int((try? r.u8()) ?? 0)
            // RFC 7606 §4, case 1: the attribute runs past the list.
            guard let value = try? r.sub(len) else {
                fault(.attributeOverrun(code: code))
                return
            }
            let whole = ByteReader(base: r.base, position: start, end: r.position)
            attribute(flags: flags, code: code, value: value, whole: whole)
        }
    }

    private mutating func attribute(flags: UInt8, code: UInt8, value: ByteReader, whole: ByteReader) {
        func wholeBytes() -> [UInt8] {
            var w = whole
            return w.rest()
        }
        let isMP = code == AttributeCode.mpReach || code == AttributeCode.mpUnreach
        if seen.contains(code) {
            if isMP {
                fault(.duplicateMultiprotocolAttribute(code: code))
            } else {
                discarded.append(code)  // RFC 7606 §3 g: keep the first
            }
            return
        }
        seen.insert(code)

        guard let d = AttributeCode.descriptor(code) else {
            if flags & AttributeFlags.optional == 0 {
                fault(.unrecognizedWellKnown(code: code, data: wholeBytes()))
                return
            }
            var v = value
            attributes.unknown.append(UnknownAttribute(flags: flags & ~AttributeFlags.extendedLength, code: code, data: v.rest()))
            order.append(UInt16(code) << 8 | UInt16(flags))
            return
        }
        if flags & (AttributeFlags.optional | AttributeFlags.transitive) != d.requiredFlags {
            if isMP {
                // Still a disable of the family, if the family can be read.
                var v = value
                if let afi = try? v.u16(), let safi = try? v.u8() {
                    fault(.multiprotocol(code: code, family: AddressFamily(afi: afi, safi: safi)))
                } else {
                    fault(.multiprotocolUnreadable(code: code))
                }
            } else {
                fault(.attributeFlags(code: code, data: wholeBytes()))
            }
            return
        }
        var v = value
        do {
            try decodeKnown(code: code, &v)
            order.append(UInt16(code) << 8 | UInt16(flags))
        } catch let f {
            switch f {
            case .length: fault(.attributeLength(code: code, data: wholeBytes()))
            case .origin: fault(.invalidOrigin(data: wholeBytes()))
            case .nextHop: fault(.invalidNextHop(data: wholeBytes()))
            case .asPath: fault(.malformedASPath(code: code))
            case .contents: fault(.optionalAttribute(code: code, data: wholeBytes()))
            case .mp(let family): fault(family.map { .multiprotocol(code: code, family: $0) } ?? .multiprotocolUnreadable(code: code))
            }
        }
    }

    enum ValueFault: Error {
        case length, origin, nextHop, asPath, contents
        case mp(AddressFamily?)
    }

    private mutating func decodeKnown(code: UInt8, _ v: inout ByteReader) throws(ValueFault) {
        let n = v.remaining
        func exact(_ want: Int) throws(ValueFault) { if n != want { throw .length } }
        func multiple(_ unit: Int) throws(ValueFault) { if n == 0 || n % unit != 0 { throw .length } }
        do {
            switch code {
            case AttributeCode.origin:
                try exact(1)
                guard let o = Origin(rawValue: try v.u8()) else { throw ValueFault.origin }
                attributes.origin = o
            case AttributeCode.asPath:
                guard let p = ASPathCodec.decode(&v, fourOctet: context.fourOctetAS) else { throw ValueFault.asPath }
                attributes.asPath = p
            case AttributeCode.nextHop:
                try exact(4)
                let nh = IPv4Address(try v.u32())
                // RFC 4271 §6.3 semantic check: not a host address at all.
                // (Our own address, a session matter, is checked there.)
                guard nh.value != 0, nh.value >> 28 != 0xE, nh.value >> 28 != 0xF else { throw ValueFault.nextHop }
                attributes.nextHop = nh
            case AttributeCode.med:
                try exact(4)
                attributes.med = try v.u32()
            case AttributeCode.localPref:
                try exact(4)
                attributes.localPref = try v.u32()
            case AttributeCode.atomicAggregate:
                try exact(0)
                attributes.atomicAggregate = true
            case AttributeCode.aggregator:
                try exact(context.fourOctetAS ? 8 : 6)
                let asn = context.fourOctetAS ? try v.u32() : UInt32(try v.u16())
                attributes.aggregator = Aggregator(asn: asn, address: IPv4Address(try v.u32()))
            case AttributeCode.communities:
                try multiple(4)
                var c: [UInt32] = []
                c.reserveCapacity(n / 4)
                while !v.isAtEnd { c.append(try v.u32()) }
                attributes.communities = c
            case AttributeCode.originatorID:
                try exact(4)
                attributes.originatorID = IPv4Address(try v.u32())
            case AttributeCode.clusterList:
                try multiple(4)
                var c: [IPv4Address] = []
                while !v.isAtEnd { c.append(IPv4Address(try v.u32())) }
                attributes.clusterList = c
            case AttributeCode.mpReach:
                attributes.mpReach = try MPCodec.decodeReach(&v, context: context)
            case AttributeCode.mpUnreach:
                attributes.mpUnreach = try MPCodec.decodeUnreach(&v, context: context)
            case AttributeCode.extendedCommunities:
                try multiple(8)
                var c: [UInt64] = []
                c.reserveCapacity(n / 8)
                while !v.isAtEnd { c.append(try v.u64()) }
                attributes.extendedCommunities = c
            case AttributeCode.as4Path:
                guard let p = ASPathCodec.decode(&v, fourOctet: true, allowConfed: false) else { throw ValueFault.asPath }
                attributes.as4Path = p
            case AttributeCode.as4Aggregator:
                try exact(8)
                attributes.as4Aggregator = Aggregator(asn: try v.u32(), address: IPv4Address(try v.u32()))
            case AttributeCode.largeCommunities:
                try multiple(12)
                var c: [LargeCommunity] = []
                while !v.isAtEnd { c.append(LargeCommunity(try v.u32(), try v.u32(), try v.u32())) }
                attributes.largeCommunities = c
            case AttributeCode.otc:
                try exact(4)
                attributes.otc = try v.u32()
            default:
                throw ValueFault.contents  // unreachable: every described code is handled above
            }
        } catch let e as ValueFault {
            throw e
        } catch {
            throw .length
        }
    }
}

/// AS_PATH / AS4_PATH segments (RFC 4271 §4.3, RFC 6793, RFC 7606 §7.2).
enum ASPathCodec {
    /// nil when malformed: an unknown segment type, an empty segment, or a
    /// segment that runs past the attribute.
    static func decode(_ v: inout ByteReader, fourOctet: Bool, allowConfed: Bool = true) -> [ASPathSegment]? {
        var segs: [ASPathSegment] = []
        segs.reserveCapacity(2)
        let width = fourOctet ? 4 : 2
        while !v.isAtEnd {
            guard let t = try? v.u8(), let kind = ASPathSegment.Kind(rawValue: t),
                  let count = try? v.u8(), count > 0,
                  v.remaining >= Int(count) * width else { return nil }
            if !allowConfed && (kind == .confedSequence || kind == .confedSet) { return nil }
            var asns: [UInt32] = []
            asns.reserveCapacity(Int(count))
            for _ in 0..<count {
                asns.append(fourOctet ? (try? v.u32()) ?? 0 : UInt32((try? v.u16()) ?? 0))
            }
            segs.append(ASPathSegment(kind, asns))
        }
        return segs
    }

    static func encode(_ segs: [ASPathSegment], fourOctet: Bool, into w: inout ByteWriter) {
        for s in segs {
            // A segment holds at most 255 ASNs; a longer one is split.
            var i = 0
            repeat {
                let chunk = s.asns[i..<min(i + 255, s.asns.count)]
                w.u8(s.kind.rawValue)
                w.u8(UInt8(chunk.count))
                for a in chunk {
                    if fourOctet { w.u32(a) } else { w.u16(a > 0xFFFF ? OpenMessage.asTrans : UInt16(a)) }
                }
                i += 255
            } while i < s.asns.count
        }
    }
}
