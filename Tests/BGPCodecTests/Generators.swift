import BGPCodec
import TestSupport

/// Random but valid messages: every value here must survive encode→decode.
struct MessageGenerator {
    var rng: SplitMix64
    let addPath: Bool

    init(seed: UInt64, addPath: Bool = false) {
        rng = SplitMix64(seed: seed)
        self.addPath = addPath
    }

    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    mutating func u32() -> UInt32 { UInt32.random(in: 0...UInt32.max, using: &rng) }
    mutating func u64() -> UInt64 { rng.next() }
    mutating func bool() -> Bool { Bool.random(using: &rng) }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) } }
    mutating func maybe<T>(_ make: (inout MessageGenerator) -> T) -> T? { bool() ? make(&self) : nil }

    mutating func prefix4() -> IPv4Prefix {
        let len = UInt8(int(0...32))
        return IPv4Prefix(IPv4Address(u32() & IPv4Prefix.mask(len)), len, pathID: addPath ? u32() : 0)
    }

    mutating func prefix6() -> IPv6Prefix {
        let len = UInt8(int(0...128))
        let (mh, ml) = IPv6Prefix.mask(len)
        return IPv6Prefix(IPv6Address(high: u64() & mh, low: u64() & ml), len, pathID: addPath ? u32() : 0)
    }

    mutating func hostAddress() -> IPv4Address { IPv4Address(UInt32(int(0x0100_0000...0xDFFF_FFFF))) }
    mutating func v6() -> IPv6Address { IPv6Address(high: u64(), low: u64()) }

    mutating func asPath() -> [ASPathSegment] {
        (0..<int(0...3)).map { _ in
            ASPathSegment(ASPathSegment.Kind.allCases[int(0...3)], (0..<int(1...6)).map { _ in u32() })
        }
    }

    mutating func family() -> AddressFamily {
        [AddressFamily.ipv4Unicast, .ipv6Unicast, .ipv4Multicast, AddressFamily(afi: 1, safi: 128), AddressFamily(afi: 25, safi: 70)][int(0...4)]
    }

    mutating func mpPrefixes(_ f: AddressFamily, count: Int) -> MPPrefixes {
        if !f.isDecodedPrefixFamily { return .opaque(bytes(int(0...12))) }
        return f.afi == .ipv4 ? .ipv4((0..<count).map { _ in prefix4() }) : .ipv6((0..<count).map { _ in prefix6() })
    }

    mutating func update() -> UpdateMessage {
        var a = PathAttributes()
        let nlri = (0..<int(0...20)).map { _ in prefix4() }
        var reach: MPReach? = nil
        if bool() {
            let f = family()
            let nh: NextHop
            if !f.isDecodedPrefixFamily {
                nh = .opaque(bytes(int(0...24)))
            } else if f.afi == .ipv4 && bool() {
                nh = .ipv4(hostAddress())
            } else {
                nh = .ipv6(v6(), linkLocal: bool() ? v6() : nil)
            }
            reach = MPReach(family: f, nextHop: nh, nlri: mpPrefixes(f, count: int(0...15)))
        }
        a.mpReach = reach
        if bool() {
            let f = family()
            a.mpUnreach = MPUnreach(family: f, withdrawn: mpPrefixes(f, count: int(0...15)))
        }
        let announces = !nlri.isEmpty || reach != nil
        if announces || bool() {
            a.origin = Origin.allCases[int(0...2)]
            a.asPath = asPath()
        }
        if !nlri.isEmpty || bool() { a.nextHop = hostAddress() }
        a.med = maybe { $0.u32() }
        a.localPref = maybe { $0.u32() }
        a.atomicAggregate = bool()
        a.aggregator = maybe { Aggregator(asn: $0.u32(), address: $0.hostAddress()) }
        a.communities = maybe { g in (0..<g.int(1...5)).map { _ in g.u32() } }
        a.originatorID = maybe { $0.hostAddress() }
        a.clusterList = maybe { g in (0..<g.int(1...3)).map { _ in g.hostAddress() } }
        a.extendedCommunities = maybe { g in (0..<g.int(1...3)).map { _ in g.u64() } }
        a.as4Path = maybe { g in
            (0..<g.int(1...2)).map { _ in ASPathSegment([.set, .sequence][g.int(0...1)], (0..<g.int(1...4)).map { _ in g.u32() }) }
        }
        a.as4Aggregator = maybe { Aggregator(asn: $0.u32(), address: $0.hostAddress()) }
        a.largeCommunities = maybe { g in (0..<g.int(1...3)).map { _ in LargeCommunity(g.u32(), g.u32(), g.u32()) } }
        a.otc = maybe { $0.u32() }
        let unknownCodes = [UInt8](arrayLiteral: 20, 22, 26, 40, 99, 128, 200, 255).filter { _ in int(0...3) == 0 }
        a.unknown = unknownCodes.map { code in
            UnknownAttribute(flags: 0x80 | UInt8(int(0...3)) << 5 | UInt8(int(0...15)), code: code, data: bytes(int(0...300)))
        }
        return UpdateMessage(withdrawn: (0..<int(0...10)).map { _ in prefix4() }, attributes: a, nlri: nlri)
    }

    mutating func capability() -> Capability {
        switch int(0...11) {
        case 0: return .multiprotocol(family())
        case 1: return .routeRefresh
        case 2: return .extendedNextHop((0..<int(1...3)).map { _ in ExtendedNextHopEntry(afi: .ipv4, safi: UInt16(int(0...65535)), nextHopAFI: .ipv6) })
        case 3: return .extendedMessage
        case 4: return .role(UInt8(int(0...4)))
        case 5: return .gracefulRestart(GracefulRestart(flags: UInt8(int(0...15)), restartTime: UInt16(int(0...4095)),
                                                         families: (0..<int(0...3)).map { _ in .init(family: family(), flags: UInt8(int(0...255))) }))
        case 6: return .fourOctetAS(u32())
        case 7: return .addPath((0..<int(1...3)).map { _ in AddPathEntry(family: family(), sendReceive: UInt8(int(1...3))) })
        case 8: return .enhancedRouteRefresh
        case 9: return .longLivedGracefulRestart((0..<int(1...3)).map { _ in LLGREntry(family: family(), flags: UInt8(int(0...255)), staleTime: UInt32(int(0...0xFFFFFF))) })
        case 10: return .fqdn(hostname: Array("h\(int(0...999))".utf8), domain: bool() ? Array("example.net".utf8) : [])
        default: return .unknown(code: UInt8([3, 7, 67, 75, 128, 131, 200][int(0...6)]), data: bytes(int(0...10)))
        }
    }

    mutating func open() -> OpenMessage {
        var hold = UInt16(int(0...65535))
        if hold == 1 || hold == 2 { hold = 3 }
        return OpenMessage(myAS: UInt16(int(0...65535)), holdTime: hold, identifier: IPv4Address(UInt32(int(1...Int(UInt32.max)))),
                           capabilities: (0..<int(0...12)).map { _ in capability() })
    }

    mutating func message() -> BGPMessage {
        switch int(0...5) {
        case 0: return .open(open())
        case 1, 2: return .update(update())
        case 3: return .keepalive
        case 4: return .notification(NotificationMessage(code: UInt8(int(1...8)), subcode: UInt8(int(0...11)), data: bytes(int(0...40))))
        default: return .routeRefresh(RouteRefreshMessage(afi: AFI(rawValue: UInt16(int(1...2))), subtype: UInt8(int(0...2)), safi: SAFI(rawValue: 1)))
        }
    }
}
