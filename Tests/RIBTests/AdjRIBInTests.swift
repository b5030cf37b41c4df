import BGPCodec
import RIB
import Testing

@Suite struct AdjRIBInTests {
    let base = PathAttributes(origin: .igp, asPath: [ASPathSegment(.sequence, [65001])], nextHop: IPv4Address("10.255.0.1")!,
                              communities: [65001 << 16 | 7])
    func p4(_ s: String) -> IPv4Prefix { IPv4Prefix(s)! }
    func p6(_ s: String) -> IPv6Prefix { IPv6Prefix(s)! }
    var nh6: NextHop { .ipv6(IPv6Address("fd00:255::1")!, linkLocal: IPv6Address("fe80::1")!) }

    func announce4(_ prefixes: [String]) -> DecodeResult {
        .message(.update(UpdateMessage(attributes: base, nlri: prefixes.map(p4))))
    }

    func announce6(_ prefixes: [String]) -> DecodeResult {
        var a = base
        a.nextHop = nil
        a.mpReach = MPReach(family: .ipv6Unicast, nextHop: nh6, nlri: .ipv6(prefixes.map(p6)))
        return .message(.update(UpdateMessage(attributes: a)))
    }

    @Test func announceAndWithdrawBothFamilies() {
        var rib = AdjRIBIn()
        let c = rib.apply(announce4(["10.9.9.0/24", "10.9.8.0/24"]))
        #expect(c.announced.count == 2)
        rib.apply(announce6(["fd00:9::/64"]))
        #expect(rib.count(.ipv4Unicast) == 2 && rib.count(.ipv6Unicast) == 1)
        let r = rib.route(.ipv6Unicast, .ipv6(p6("fd00:9::/64")))
        #expect(r?.nextHop == nh6 && r?.attributes.mpReach == nil && r?.attributes.communities == [65001 << 16 | 7])
        #expect(rib.route(.ipv4Unicast, .ipv4(p4("10.9.9.0/24")))?.nextHop == .ipv4(IPv4Address("10.255.0.1")!))
        let w = rib.apply(.message(.update(UpdateMessage(withdrawn: [p4("10.9.9.0/24")]))))
        #expect(w.withdrawn.count == 1 && rib.count(.ipv4Unicast) == 1)
        rib.apply(.message(.update(UpdateMessage(attributes: PathAttributes(mpUnreach: MPUnreach(family: .ipv6Unicast, withdrawn: .ipv6([p6("fd00:9::/64")])))))))
        #expect(rib.count(.ipv6Unicast) == 0)
    }

    @Test func treatAsWithdrawRemovesEveryNLRI() {
        var rib = AdjRIBIn()
        rib.apply(announce4(["10.9.9.0/24", "10.9.8.0/24"]))
        rib.apply(announce6(["fd00:9::/64"]))
        var bad = base
        bad.mpReach = MPReach(family: .ipv6Unicast, nextHop: nh6, nlri: .ipv6([p6("fd00:9::/64")]))
        let c = rib.apply(.treatAsWithdraw(UpdateMessage(attributes: bad, nlri: [p4("10.9.9.0/24")]), .invalidOrigin(data: [])))
        #expect(c.withdrawn.count == 2)
        #expect(rib.count == 1)
    }

    @Test func afiSafiDisableDropsTheFamily() {
        var rib = AdjRIBIn()
        rib.apply(announce4(["10.9.9.0/24"]))
        rib.apply(announce6(["fd00:9::/64", "fd00:8::/64"]))
        let c = rib.apply(.afiSafiDisable(.ipv6Unicast, UpdateMessage(), .multiprotocol(code: 14, family: .ipv6Unicast)))
        #expect(c.withdrawn.count == 2 && rib.count == 1)
        // RFC 4760 §7: later routes of the family are ignored.
        rib.apply(announce6(["fd00:7::/64"]))
        #expect(rib.count(.ipv6Unicast) == 0 && rib.disabledFamilies == [.ipv6Unicast])
    }

    @Test func gracefulRestartKeepsStaleRoutesUntilEndOfRIB() {
        var rib = AdjRIBIn()
        rib.apply(announce4(["10.9.9.0/24", "10.9.8.0/24"]))
        rib.apply(announce6(["fd00:9::/64"]))
        // The peer restarts; it preserved forwarding for IPv4 only.
        let dropped = rib.markStale(keeping: [.ipv4Unicast])
        #expect(dropped.count == 1 && rib.staleCount == 2)
        // After the restart it announces one of them again: fresh.
        rib.apply(announce4(["10.9.9.0/24"]))
        #expect(rib.route(.ipv4Unicast, .ipv4(p4("10.9.9.0/24")))?.stale == false)
        // End-of-RIB for IPv4 unicast: the rest is swept.
        let eor = rib.apply(.message(.update(.endOfRIB(.ipv4Unicast))))
        #expect(eor.endOfRIB == [.ipv4Unicast])
        let swept = rib.sweepStale(.ipv4Unicast)
        #expect(swept.count == 1 && rib.count == 1 && rib.staleCount == 0)
    }

    @Test func pathIdentifiersKeepRoutesApart() {
        var rib = AdjRIBIn()
        let a = IPv4Prefix(IPv4Address("10.9.9.0")!, 24, pathID: 1)
        let b = IPv4Prefix(IPv4Address("10.9.9.0")!, 24, pathID: 2)
        rib.apply(.message(.update(UpdateMessage(attributes: base, nlri: [a, b]))))
        #expect(rib.count == 2)
        rib.apply(.message(.update(UpdateMessage(withdrawn: [a]))))
        #expect(rib.count == 1 && rib.route(.ipv4Unicast, .ipv4(b)) != nil)
    }
}
