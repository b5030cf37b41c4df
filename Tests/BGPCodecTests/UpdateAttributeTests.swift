import BGPCodec
import Testing

/// Byte-exact encode and decode of every attribute the codec models.
@Suite struct UpdateAttributeTests {
    typealias Row = (name: String, attributes: PathAttributes, wire: String, context: CodecContext)

    static let v6nh = NextHop.ipv6(a6("2001:db8::1"), linkLocal: a6("fe80::1"))

    static let rows: [Row] = [
        ("origin", PathAttributes(origin: .incomplete), "40 01 01 02", .default),
        ("as_path 4-octet", PathAttributes(asPath: [ASPathSegment(.sequence, [65001, 4_200_000_000]), ASPathSegment(.set, [1, 2])]),
         "40 02 14 02 02 0000fde9 fa56ea00 01 02 00000001 00000002", .default),
        ("as_path 2-octet", PathAttributes(asPath: [ASPathSegment(.sequence, [65001, 65002])]),
         "40 02 06 02 02 fde9 fdea", CodecContext(fourOctetAS: false)),
        ("as_path confed", PathAttributes(asPath: [ASPathSegment(.confedSequence, [1]), ASPathSegment(.confedSet, [2])]),
         "40 02 0c 03 01 00000001 04 01 00000002", .default),
        ("empty as_path", PathAttributes(asPath: []), "40 02 00", .default),
        ("next_hop", PathAttributes(nextHop: a4("192.0.2.1")), "40 03 04 c0000201", .default),
        ("med", PathAttributes(med: 10), "80 04 04 0000000a", .default),
        ("local_pref", PathAttributes(localPref: 200), "40 05 04 000000c8", .default),
        ("atomic_aggregate", PathAttributes(atomicAggregate: true), "40 06 00", .default),
        ("aggregator 4", PathAttributes(aggregator: Aggregator(asn: 65001, address: a4("10.0.0.1"))), "c0 07 08 0000fde9 0a000001", .default),
        ("aggregator 2", PathAttributes(aggregator: Aggregator(asn: 65001, address: a4("10.0.0.1"))), "c0 07 06 fde9 0a000001",
         CodecContext(fourOctetAS: false)),
        ("communities", PathAttributes(communities: [0xFDE9_0064, 0xFFFF_FF01]), "c0 08 08 fde90064 ffffff01", .default),
        ("originator_id", PathAttributes(originatorID: a4("1.1.1.1")), "80 09 04 01010101", .default),
        ("cluster_list", PathAttributes(clusterList: [a4("2.2.2.2"), a4("3.3.3.3")]), "80 0a 08 02020202 03030303", .default),
        ("mp_reach v6 with link-local", PathAttributes(origin: .igp, asPath: [], mpReach: MPReach(family: .ipv6Unicast, nextHop: v6nh, nlri: .ipv6([p6("fd00:1::100/128")]))),
         "80 0e 36 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00 80 fd000001000000000000000000000100 40 01 01 00 40 02 00", .default),
        ("mp_reach v6 global only", PathAttributes(origin: .igp, asPath: [], mpReach: MPReach(family: .ipv6Unicast, nextHop: .ipv6(a6("2001:db8::1"), linkLocal: nil), nlri: .ipv6([p6("2001:db8::/32")]))),
         "80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8 40 01 01 00 40 02 00", .default),
        ("mp_reach v6 :: plus link-local", PathAttributes(origin: .igp, asPath: [], mpReach: MPReach(family: .ipv6Unicast, nextHop: .ipv6(.zero, linkLocal: a6("fe80::1")), nlri: .ipv6([p6("::/0")]))),
         "80 0e 26 0002 01 20 00000000000000000000000000000000 fe800000000000000000000000000001 00 00 40 01 01 00 40 02 00", .default),
        ("mp_reach v4 nlri, v6 next hop (RFC 8950)", PathAttributes(origin: .igp, asPath: [], mpReach: MPReach(family: .ipv4Unicast, nextHop: .ipv6(a6("2001:db8::1"), linkLocal: nil), nlri: .ipv4([p4("10.0.1.100/32")]))),
         "80 0e 1a 0001 01 10 20010db8000000000000000000000001 00 20 0a000164 40 01 01 00 40 02 00", .default),
        ("mp_reach v4", PathAttributes(origin: .igp, asPath: [], mpReach: MPReach(family: .ipv4Unicast, nextHop: .ipv4(a4("10.0.0.1")), nlri: .ipv4([p4("10.0.1.0/24")]))),
         "80 0e 0d 0001 01 04 0a000001 00 18 0a0001 40 01 01 00 40 02 00", .default),
        ("mp_unreach v6", PathAttributes(mpUnreach: MPUnreach(family: .ipv6Unicast, withdrawn: .ipv6([p6("fd00:1::100/128"), p6("2001:db8::/32")]))),
         "80 0f 19 0002 01 80 fd000001000000000000000000000100 20 20010db8", .default),
        ("mp_unreach opaque family", PathAttributes(mpUnreach: MPUnreach(family: AddressFamily(afi: 1, safi: 128), withdrawn: .opaque([1, 2, 3]))),
         "80 0f 06 0001 80 010203", .default),
        ("extended_communities", PathAttributes(extendedCommunities: [0x0002_FDE9_0000_0064]), "c0 10 08 0002fde900000064", .default),
        ("as4_path", PathAttributes(as4Path: [ASPathSegment(.sequence, [4_200_000_000])]), "c0 11 06 02 01 fa56ea00", .default),
        ("as4_aggregator", PathAttributes(as4Aggregator: Aggregator(asn: 4_200_000_000, address: a4("10.0.0.1"))), "c0 12 08 fa56ea00 0a000001", .default),
        ("large_communities", PathAttributes(largeCommunities: [LargeCommunity(65011, 1, 1)]), "c0 20 0c 0000fdf3 00000001 00000001", .default),
        ("otc", PathAttributes(otc: 65001), "c0 23 04 0000fde9", .default),
        ("unknown optional transitive", PathAttributes(unknown: [UnknownAttribute(flags: 0xC0, code: 99, data: [1, 2])]), "c0 63 02 0102", .default),
        ("unknown with the Partial bit", PathAttributes(unknown: [UnknownAttribute(flags: 0xE0, code: 200, data: [7])]), "e0 c8 01 07", .default),
    ]

    @Test(arguments: rows.indices)
    func attributeBytes(_ i: Int) throws {
        let row = Self.rows[i]
        let u = UpdateMessage(attributes: row.attributes)
        let bytes = message(2, updateBody(attributes: hex(row.wire)))
        #expect(try MessageCodec.encode(.update(u), context: row.context) == bytes, "\(row.name)")
        let d = MessageCodec.decode(bytes, context: row.context)
        #expect(d == .message(.update(u)), "\(row.name)")
    }

    @Test func ipv4NLRIAndWithdrawnBytes() throws {
        let u = UpdateMessage(withdrawn: [p4("10.9.0.0/16")], attributes: PathAttributes(origin: .igp, asPath: [ASPathSegment(.sequence, [65001])], nextHop: a4("10.0.0.1")),
                              nlri: [p4("0.0.0.0/0"), p4("10.0.1.100/32"), p4("10.128.0.0/9"), p4("10.0.0.0/8")])
        let expected = message(2, updateBody(withdrawn: hex("10 0a09"), attributes: mandatoryAttributes, nlri: hex("00  20 0a000164  09 0a80  08 0a")))
        #expect(try MessageCodec.encode(.update(u)) == expected)
        #expect(MessageCodec.decode(expected) == .message(.update(u)))
    }

    @Test func addPathIdentifiers() throws {
        let ctx = CodecContext(addPath: [.ipv4Unicast, .ipv6Unicast])
        let u = UpdateMessage(withdrawn: [IPv4Prefix(a4("10.9.0.0"), 16, pathID: 7)],
                              attributes: PathAttributes(origin: .igp, asPath: [ASPathSegment(.sequence, [65001])], nextHop: a4("10.0.0.1"),
                                                         mpReach: MPReach(family: .ipv6Unicast, nextHop: .ipv6(a6("2001:db8::1"), linkLocal: nil),
                                                                          nlri: .ipv6([IPv6Prefix(a6("2001:db8::"), 32, pathID: 2)]))),
                              nlri: [IPv4Prefix(a4("10.0.1.0"), 24, pathID: 1)])
        let bytes = try MessageCodec.encode(.update(u), context: ctx)
        #expect(Array(bytes[19..<28]) == hex("0007 00000007 10 0a09"))
        #expect(Array(bytes.suffix(8)) == hex("00000001 18 0a0001"))
        #expect(MessageCodec.decode(bytes, context: ctx) == .message(.update(u)))
        // Without ADD-PATH the same bytes mean something else entirely.
        #expect(MessageCodec.decode(bytes) != .message(.update(u)))
    }

    @Test func hostBitsAreMaskedOnDecode() {
        // 10.1.255.0/23 sent with a host bit set in the last byte.
        let r = decodeUpdate(updateBody(attributes: mandatoryAttributes, nlri: hex("17 0a01ff")))
        guard case .message(.update(let u)) = r else {
            Issue.record("\(r)")
            return
        }
        #expect(u.nlri == [p4("10.1.254.0/23")])
    }

    @Test func endOfRIB() throws {
        #expect(try MessageCodec.encode(.update(.endOfRIB(.ipv4Unicast))) == message(2, hex("0000 0000")))
        #expect(try MessageCodec.encode(.update(.endOfRIB(.ipv6Unicast))) == message(2, hex("0000 0006 800f 03 0002 01")))
        for f in [AddressFamily.ipv4Unicast, .ipv6Unicast, .ipv4Multicast, AddressFamily(afi: 1, safi: 128), AddressFamily(afi: 25, safi: 70)] {
            let bytes = try MessageCodec.encode(.update(.endOfRIB(f)))
            guard case .message(.update(let u)) = MessageCodec.decode(bytes) else {
                Issue.record("\(f) did not decode")
                continue
            }
            #expect(u.endOfRIB == f)
        }
        #expect(UpdateMessage(nlri: [p4("10.0.0.0/8")]).endOfRIB == nil)
    }

    @Test func receivedOrderAndFlagsSurviveReEncoding() throws {
        // MP_REACH last, ORIGIN with an extended length and an unused low flag bit.
        let attrs = hex("51 01 0001 00  40 02 06 02 01 0000fde9") + hex("80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8")
        let bytes = message(2, updateBody(attributes: attrs))
        guard case .message(let m) = MessageCodec.decode(bytes) else {
            Issue.record("did not decode")
            return
        }
        #expect(try MessageCodec.encode(m) == bytes)
    }

    @Test func defaultOrderPutsMultiprotocolFirst() throws {
        let a = PathAttributes(origin: .igp, asPath: [], mpReach: MPReach(family: .ipv6Unicast, nextHop: .ipv6(a6("2001:db8::1"), linkLocal: nil), nlri: .ipv6([])))
        let bytes = try MessageCodec.encode(.update(UpdateMessage(attributes: a)))
        #expect(bytes[23] == 0x80 && bytes[24] == 14)
    }

    @Test func propagationSetsPartialAndDropsNonTransitiveUnknowns() {
        let a = PathAttributes(origin: .igp, unknown: [UnknownAttribute(flags: 0xC0, code: 99, data: [1]), UnknownAttribute(flags: 0x80, code: 98, data: [2])])
        let p = a.forPropagation()
        #expect(p.unknown == [UnknownAttribute(flags: 0xE0, code: 99, data: [1])])
        #expect(p.origin == .igp)
    }
}
