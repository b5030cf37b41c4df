import BGPCodec
import BGPSession
@testable import RIB
import Testing

@Suite struct AdjRIBOutTests {
    typealias F = RIBFixture

    func session(peerAS: UInt32) -> ExportSession {
        var c = SessionConfig(localAS: 65011, routerID: IPv4Address("10.0.0.11")!, peerAS: peerAS)
        c.families = [.ipv4Unicast, .ipv6Unicast]
        var r = SessionConfig(localAS: peerAS, routerID: IPv4Address("10.0.0.1")!, peerAS: 65011)
        r.families = [.ipv4Unicast, .ipv6Unicast]
        let n = try! NegotiatedSession.negotiate(config: c, local: c.localOpen, remote: r.localOpen).get()
        return ExportSession(localAS: 65011, peerAS: peerAS, negotiated: n, nextHopIPv4: IPv4Address("10.255.0.2")!,
                             nextHopIPv6: IPv6Address("fd00:255::2")!)
    }

    func updates(_ msgs: [[UInt8]]) -> [UpdateMessage] {
        msgs.compactMap { if case .message(.update(let u)) = MessageCodec.decode($0) { u } else { nil } }
    }

    /// Peer a (eBGP 65001) sends routes; peer b (eBGP 65002) and c (iBGP) may get them.
    func setUp() -> (LocRIB, UInt16, UInt16, UInt16) {
        var rib = LocRIB(localAS: 65011)
        let a = rib.addPeer(F.peer(1, asn: 65001)), b = rib.addPeer(F.peer(2, asn: 65002)), c = rib.addPeer(F.peer(3, asn: 65011))
        _ = rib.originate(F.rp("10.0.1.100/32"), attributes: VIPRoute(prefix: F.rp("10.0.1.100/32"), med: 10).originated(localAS: 65011),
                          nextHop: .opaque([]))
        rib.apply(F.update(F.attrs([65001, 7], med: 55, communities: [65001 << 16 | 1]), ["10.1.0.0/24", "10.2.0.0/24"]), from: a)
        return (rib, a, b, c)
    }

    @Test func vipsOnlyByDefault() {
        let (rib, _, b, _) = setUp()
        var out = AdjRIBOut(session: session(peerAS: 65002), peer: b, policy: .vips)
        out.enqueueAll(rib)
        let u = updates(out.flush(rib, now: .zero))
        #expect(u.flatMap(\.nlri) == [IPv4Prefix("10.0.1.100/32")!])
        #expect(u.first?.attributes.asPath == [ASPathSegment(.sequence, [65011])] && u.first?.attributes.med == 10)
    }

    @Test func learnedRoutesToEBGPGetOurASAndNoMEDAndNeverGoBack() {
        var (rib, a, b, _) = setUp()
        var toB = AdjRIBOut(session: session(peerAS: 65002), peer: b, policy: .all)
        toB.enqueueAll(rib)
        let u = updates(toB.flush(rib, now: .zero))
        let learned = u.first { $0.nlri.contains(IPv4Prefix("10.1.0.0/24")!) }!
        #expect(learned.nlri.count == 2)
        #expect(learned.attributes.asPath == [ASPathSegment(.sequence, [65011, 65001, 7])])
        #expect(learned.attributes.med == nil && learned.attributes.nextHop == IPv4Address("10.255.0.2")!)
        #expect(learned.attributes.communities == [65001 << 16 | 1])
        var toA = AdjRIBOut(session: session(peerAS: 65001), peer: a, policy: .all)
        toA.enqueueAll(rib)
        #expect(updates(toA.flush(rib, now: .zero)).flatMap(\.nlri) == [IPv4Prefix("10.0.1.100/32")!])
        // The route goes away: b is sent a withdrawal.
        let c = rib.apply(F.withdraw(["10.1.0.0/24"]), from: a)
        toB.enqueue(c.bestChanged)
        let w = updates(toB.flush(rib, now: .zero))
        #expect(w.flatMap(\.withdrawn) == [IPv4Prefix("10.1.0.0/24")!] && toB.count(.ipv4Unicast) == 2)
    }

    @Test func iBGPGetsLocalPrefAndNoIBGPLearnedRoutes() {
        var (rib, _, _, c) = setUp()
        rib.apply(F.update(F.attrs([65099], localPref: 300), ["10.3.0.0/24"]), from: c)
        var toC = AdjRIBOut(session: session(peerAS: 65011), peer: c, policy: .all)
        toC.enqueueAll(rib)
        let u = updates(toC.flush(rib, now: .zero))
        #expect(Set(u.flatMap(\.nlri)) == [IPv4Prefix("10.0.1.100/32")!, IPv4Prefix("10.1.0.0/24")!, IPv4Prefix("10.2.0.0/24")!])
        #expect(u.allSatisfy { $0.attributes.localPref == 100 })
        let vip = u.first { $0.nlri == [IPv4Prefix("10.0.1.100/32")!] }!
        #expect(vip.attributes.asPath == [])
    }

    @Test func wellKnownCommunitiesLimitWhereARouteGoes() {
        var (rib, a, b, c) = setUp()
        rib.apply(F.update(F.attrs([65001], communities: [WellKnownCommunity.noExport]), ["10.5.0.0/24"]), from: a)
        rib.apply(F.update(F.attrs([65001], communities: [WellKnownCommunity.noAdvertise]), ["10.6.0.0/24"]), from: a)
        var toB = AdjRIBOut(session: session(peerAS: 65002), peer: b, policy: .all)
        toB.enqueueAll(rib)
        let eBGP = Set(updates(toB.flush(rib, now: .zero)).flatMap(\.nlri))
        #expect(!eBGP.contains(IPv4Prefix("10.5.0.0/24")!) && !eBGP.contains(IPv4Prefix("10.6.0.0/24")!))
        var toC = AdjRIBOut(session: session(peerAS: 65011), peer: c, policy: .all)
        toC.enqueueAll(rib)
        let iBGP = Set(updates(toC.flush(rib, now: .zero)).flatMap(\.nlri))
        #expect(iBGP.contains(IPv4Prefix("10.5.0.0/24")!) && !iBGP.contains(IPv4Prefix("10.6.0.0/24")!))
    }

    @Test func exportRulesFilterAndSet() throws {
        let (rib, _, b, _) = setUp()
        let policy = RoutePolicy.rules(name: "out", [
            PolicyRuleSpec(conditions: try PolicyConditions(prefixes: [PrefixRange(prefix: F.rp("10.1.0.0/24"), lengths: 24...24)]),
                           accept: PolicyChanges(med: 77, addCommunities: [65011 << 16 | 9])),
        ])
        var out = AdjRIBOut(session: session(peerAS: 65002), peer: b, policy: .rules(policy))
        out.enqueueAll(rib)
        let u = updates(out.flush(rib, now: .zero))
        let learned = u.first { $0.nlri == [IPv4Prefix("10.1.0.0/24")!] }!
        #expect(learned.attributes.med == 77 && learned.attributes.communities == [65001 << 16 | 1, 65011 << 16 | 9])
        #expect(!u.flatMap(\.nlri).contains(IPv4Prefix("10.2.0.0/24")!))
        #expect(u.flatMap(\.nlri).contains(IPv4Prefix("10.0.1.100/32")!))
    }

    @Test func manyChangesArePackedAndMRAISpacesFlushes() {
        var rib = LocRIB(localAS: 65011)
        let a = rib.addPeer(F.peer(1, asn: 65001)), b = rib.addPeer(F.peer(2, asn: 65002))
        var out = AdjRIBOut(session: session(peerAS: 65002), peer: b, policy: .all, mrai: .seconds(5))
        let prefixes = (0..<3000).map { "10.\($0 / 256).\($0 % 256).0/24" }
        let c1 = rib.apply(F.update(F.attrs([65001]), Array(prefixes[..<1500])), from: a)
        let c2 = rib.apply(F.update(F.attrs([65001, 1]), Array(prefixes[1500...])), from: a)
        out.enqueue(c1.bestChanged + c2.bestChanged)
        let first = out.flush(rib, now: Instant(nanoseconds: 1_000_000_000))
        // 3000 /24s in two attribute sets: about 1000 per 4096-byte UPDATE.
        #expect(first.count == 4 && updates(first).flatMap(\.nlri).count == 3000)
        let c3 = rib.apply(F.update(F.attrs([65001, 2]), ["10.0.0.0/24"]), from: a)
        out.enqueue(c3.bestChanged)
        #expect(out.due(now: Instant(nanoseconds: 2_000_000_000)) == Instant(nanoseconds: 6_000_000_000))
        #expect(out.flush(rib, now: Instant(nanoseconds: 2_000_000_000)).isEmpty && out.pendingCount == 1)
        #expect(updates(out.flush(rib, now: Instant(nanoseconds: 6_000_000_000))).flatMap(\.nlri) == [IPv4Prefix("10.0.0.0/24")!])
    }
}
