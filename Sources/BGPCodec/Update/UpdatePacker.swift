/// Builds UPDATEs that carry as many prefixes as the negotiated message size
/// allows (RFC 4271 §4.3, RFC 8654). IPv4 unicast goes in the NLRI field
/// unless a next hop of another family forces MP_REACH (RFC 8950); other
/// families always go in MP_REACH / MP_UNREACH.
public enum UpdatePacker {
    /// Announcements of IPv4 unicast prefixes sharing one attribute set.
    public static func announce(_ prefixes: [IPv4Prefix], attributes: PathAttributes, context: CodecContext) -> [[UInt8]] {
        var base = attributes
        base.mpReach = nil
        base.mpUnreach = nil
        let addPath = context.usesAddPath(.ipv4Unicast)
        let fixed = encodedLength(UpdateMessage(attributes: base), context: context)
        return chunks(prefixes, room: context.maxMessageLength - fixed, size: { NLRICodec.encodedSize($0, addPath: addPath) }) {
            UpdateMessage(attributes: base, nlri: Array($0))
        }.map { encodeOrEmpty($0, context) }
    }

    public static func withdraw(_ prefixes: [IPv4Prefix], context: CodecContext) -> [[UInt8]] {
        let addPath = context.usesAddPath(.ipv4Unicast)
        return chunks(prefixes, room: context.maxMessageLength - BGPLimits.minUpdateLength, size: { NLRICodec.encodedSize($0, addPath: addPath) }) {
            UpdateMessage(withdrawn: Array($0))
        }.map { encodeOrEmpty($0, context) }
    }

    /// Announcements of IPv6 prefixes in MP_REACH with the given next hop.
    public static func announce(_ prefixes: [IPv6Prefix], family: AddressFamily = .ipv6Unicast, nextHop: NextHop,
                                attributes: PathAttributes, context: CodecContext) -> [[UInt8]] {
        var base = attributes
        base.mpUnreach = nil
        base.mpReach = MPReach(family: family, nextHop: nextHop, nlri: .ipv6([]))
        let addPath = context.usesAddPath(family)
        let fixed = encodedLength(UpdateMessage(attributes: base), context: context) + 2  // room for an extended length
        return chunks(prefixes, room: context.maxMessageLength - fixed, size: { NLRICodec.encodedSize($0, addPath: addPath) }) {
            var a = base
            a.mpReach!.nlri = .ipv6(Array($0))
            return UpdateMessage(attributes: a)
        }.map { encodeOrEmpty($0, context) }
    }

    public static func withdraw(_ prefixes: [IPv6Prefix], family: AddressFamily = .ipv6Unicast, context: CodecContext) -> [[UInt8]] {
        let addPath = context.usesAddPath(family)
        let fixed = BGPLimits.minUpdateLength + 4 + 3 + 2
        return chunks(prefixes, room: context.maxMessageLength - fixed, size: { NLRICodec.encodedSize($0, addPath: addPath) }) {
            UpdateMessage(attributes: PathAttributes(mpUnreach: MPUnreach(family: family, withdrawn: .ipv6(Array($0)))))
        }.map { encodeOrEmpty($0, context) }
    }

    private static func encodedLength(_ u: UpdateMessage, context: CodecContext) -> Int {
        var w = ByteWriter(capacity: 128)
        u.encodeBody(context: context, into: &w)
        return BGPLimits.headerLength + w.count
    }

    private static func encodeOrEmpty(_ u: UpdateMessage, _ context: CodecContext) -> [UInt8] {
        // Chunks are sized to fit, so this cannot throw; an attribute set that
        // alone exceeds the limit yields no message at all (see `chunks`).
        (try? MessageCodec.encode(.update(u), context: context)) ?? []
    }

    /// Greedy split of `items` into runs whose encoded size fits `room`.
    private static func chunks<P>(_ items: [P], room: Int, size: (P) -> Int, make: (ArraySlice<P>) -> UpdateMessage) -> [UpdateMessage] {
        guard room > 0 else { return [] }
        var out: [UpdateMessage] = []
        var begin = 0
        var used = 0
        for (i, p) in items.enumerated() {
            let s = size(p)
            if used + s > room && i > begin {
                out.append(make(items[begin..<i]))
                begin = i
                used = 0
            }
            used += s
        }
        if begin < items.count { out.append(make(items[begin...])) }
        return out
    }
}
