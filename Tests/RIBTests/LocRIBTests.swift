import BGPCodec
@testable import RIB
import TestSupport
import Testing

/// Builders shared by the Loc-RIB tests.
enum RIBFixture {
    static func peer(_ last: UInt8, asn: UInt32, routerID: UInt32? = nil, localAS: UInt32 = 65011) -> RIBPeer {
        RIBPeer(address: [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 10, 255, 0, last], asn: asn,
                routerID: routerID ?? UInt32(last), isInternal: asn == localAS)
    }

    static func attrs(_ path: [UInt32], med: UInt32? = nil, localPref: UInt32? = nil, origin: Origin = .igp,
                      communities: [UInt32]? = nil, nh: String = "10.255.0.1") -> PathAttributes {
        PathAttributes(origin: origin, asPath: path.isEmpty ? [] : [ASPathSegment(.sequence, path)], nextHop: IPv4Address(nh)!,
                       med: med, localPref: localPref, communities: communities)
    }

    static func update(_ a: PathAttributes, _ prefixes: [String]) -> DecodeResult {
        .message(.update(UpdateMessage(attributes: a, nlri: prefixes.map { IPv4Prefix($0)! })))
    }

    static func withdraw(_ prefixes: [String]) -> DecodeResult {
        .message(.update(UpdateMessage(withdrawn: prefixes.map { IPv4Prefix($0)! })))
    }

    static func rp(_ s: String) -> RoutePrefix {
        if let p = IPv4Prefix(s) { return .ipv4(p) }
        return .ipv6(IPv6Prefix(s)!)
    }
}

@Suite struct LocRIBTests {
    typealias F = RIBFixture

    @Test func announceAndWithdrawBothFamiliesWithCounts() {
        var rib = LocRIB(localAS: 65011)
        let a = rib.addPeer(F.peer(1, asn: 65001))
        let c = rib.apply(F.update(F.attrs([65001]), ["10.9.9.0/24", "10.9.8.0/24"]), from: a)
        #expect(Set(c.bestChanged) == [F.rp("10.9.9.0/24"), F.rp("10.9.8.0/24")])
        var six = F.attrs([65001])
        six.nextHop = nil
        let nh6 = NextHop.ipv6(IPv6Address("fd00:255::1")!, linkLocal: IPv6Address("fe80::1")!)
        six.mpReach = MPReach(family: .ipv6Unicast, nextHop: nh6, nlri: .ipv6([IPv6Prefix("fd00:9::/64")!]))
        rib.apply(.message(.update(UpdateMessage(attributes: six))), from: a)
        #expect(rib.count(.ipv4Unicast) == 2 && rib.count(.ipv6Unicast) == 1)
        #expect(rib.counts(a).received == [2, 1] && rib.counts(a).accepted == [2, 1])
        let best6 = rib.best(F.rp("fd00:9::/64"))!
        #expect(rib.store[best6.attributes].nextHop == nh6 && rib.store[best6.attributes].attributes.mpReach == nil)
        let w = rib.apply(F.withdraw(["10.9.9.0/24"]), from: a)
        #expect(w.bestChanged == [F.rp("10.9.9.0/24")] && rib.count(.ipv4Unicast) == 1 && rib.counts(a).received == [1, 1])
        rib.apply(.message(.update(UpdateMessage(attributes: PathAttributes(mpUnreach: MPUnreach(family: .ipv6Unicast, withdrawn: .ipv6([IPv6Prefix("fd00:9::/64")!])))))), from: a)
        #expect(rib.count(.ipv6Unicast) == 0 && rib.counts(a).total == 1)
    }

    @Test func oneAttributeSetIsStoredOnceAndFreedWithItsLastPath() {
        var rib = LocRIB(localAS: 65011)
        let a = rib.addPeer(F.peer(1, asn: 65001))
        let prefixes = (0..<1000).map { "10.\($0 / 256).\($0 % 256).0/24" }
        rib.apply(F.update(F.attrs([65001]), prefixes), from: a)
        rib.apply(F.update(F.attrs([65001, 65002]), ["10.200.0.0/24"]), from: a)
        #expect(rib.store.count == 2)
        let id = rib.best(F.rp("10.0.1.0/24"))!.attributes
        #expect(rib.store.references(id) == 1000)
        rib.apply(F.withdraw(prefixes), from: a)
        #expect(rib.store.count == 1 && rib.count == 1)
    }

    @Test func anUpdateForOnePrefixTouchesOnlyThatPrefix() {
        var rib = LocRIB(localAS: 65011)
        let a = rib.addPeer(F.peer(1, asn: 65001)), b = rib.addPeer(F.peer(2, asn: 65002))
        rib.apply(F.update(F.attrs([65001, 5]), ["10.1.0.0/24", "10.2.0.0/24"]), from: a)
        rib.apply(F.update(F.attrs([65002, 1, 2]), ["10.1.0.0/24", "10.2.0.0/24"]), from: b)
        let c = rib.apply(F.update(F.attrs([65002]), ["10.2.0.0/24"]), from: b)
        #expect(c.bestChanged == [F.rp("10.2.0.0/24")])
        #expect(rib.best(F.rp("10.1.0.0/24"))?.peer == a && rib.best(F.rp("10.2.0.0/24"))?.peer == b)
    }

    @Test func treatAsWithdrawAndAfiSafiDisable() {
        var rib = LocRIB(localAS: 65011)
        let a = rib.addPeer(F.peer(1, asn: 65001))
        rib.apply(F.update(F.attrs([65001]), ["10.9.9.0/24", "10.9.8.0/24"]), from: a)
        let c = rib.apply(.treatAsWithdraw(UpdateMessage(attributes: F.attrs([65001]), nlri: [IPv4Prefix("10.9.9.0/24")!]), .invalidOrigin(data: [])), from: a)
        #expect(c.bestChanged == [F.rp("10.9.9.0/24")] && rib.count == 1)
        rib.apply(.afiSafiDisable(.ipv4Unicast, UpdateMessage(), .multiprotocol(code: 14, family: .ipv4Unicast)), from: a)
        #expect(rib.count == 0)
        // RFC 4760 §7: MP routes of the disabled family are ignored until the session restarts.
        var mp = F.attrs([65001])
        mp.nextHop = nil
        mp.mpReach = MPReach(family: .ipv4Unicast, nextHop: .ipv4(IPv4Address("10.255.0.1")!), nlri: .ipv4([IPv4Prefix("10.7.0.0/24")!]))
        rib.apply(.message(.update(UpdateMessage(attributes: mp))), from: a)
        #expect(rib.count == 0)
    }

    @Test func gracefulRestartKeepsStaleRoutesUntilSwept() {
        var rib = LocRIB(localAS: 65011)
        let a = rib.addPeer(F.peer(1, asn: 65001))
        rib.apply(F.update(F.attrs([65001]), ["10.1.0.0/24", "10.2.0.0/24"]), from: a)
        let marked = rib.markStale(a, keeping: [.ipv4Unicast])
        #expect(marked.bestChanged.isEmpty && rib.staleCount(a) == 2)
        #expect(rib.best(F.rp("10.1.0.0/24"))?.isStale == true)
        // The restarted peer sends one of them again, then End-of-RIB.
        rib.apply(F.update(F.attrs([65001]), ["10.1.0.0/24"]), from: a)
        let eor = rib.apply(.message(.update(.endOfRIB(.ipv4Unicast))), from: a)
        #expect(eor.endOfRIB == [.ipv4Unicast])
        let swept = rib.sweepStale(a, family: .ipv4Unicast)
        #expect(swept.bestChanged == [F.rp("10.2.0.0/24")] && rib.count == 1 && rib.staleCount(a) == 0)
    }

    @Test func endOfRIBSweepsOnlyTheFamiliesLeftStale() {
        var rib = LocRIB(localAS: 65011)
        let a = rib.addPeer(F.peer(1, asn: 65001)), b = rib.addPeer(F.peer(2, asn: 65002))
        var six = F.attrs([65001])
        six.nextHop = nil
        six.mpReach = MPReach(family: .ipv6Unicast, nextHop: .ipv6(IPv6Address("fd00:255::1")!, linkLocal: nil),
                              nlri: .ipv6([IPv6Prefix("fd00:9::/64")!]))
        rib.apply(F.update(F.attrs([65001]), ["10.1.0.0/24", "10.2.0.0/24"]), from: a)
        rib.apply(.message(.update(UpdateMessage(attributes: six))), from: a)
        // b shares one prefix, so that one is kept as a list of paths.
        rib.apply(F.update(F.attrs([65002, 7]), ["10.1.0.0/24"]), from: b)
        // End-of-RIB from a peer that never restarted sweeps nothing.
        #expect(rib.sweepStale(a, family: .ipv4Unicast).bestChanged.isEmpty && rib.count == 3 && rib.staleCount(a) == 0)
        _ = rib.markStale(a, keeping: [.ipv4Unicast, .ipv6Unicast])
        #expect(rib.staleCount(a) == 3 && rib.staleCount(b) == 0)
        let v4 = rib.sweepStale(a, family: .ipv4Unicast)
        #expect(Set(v4.bestChanged) == [F.rp("10.1.0.0/24"), F.rp("10.2.0.0/24")])
        #expect(rib.staleCount(a) == 1 && rib.best(F.rp("10.1.0.0/24"))?.peer == b && rib.counts(a).received == [0, 1])
        // Swept once: a second End-of-RIB for IPv4 finds nothing.
        #expect(rib.sweepStale(a, family: .ipv4Unicast).bestChanged.isEmpty && rib.staleCount(a) == 1)
        #expect(rib.sweepStale(a).bestChanged == [F.rp("fd00:9::/64")] && rib.staleCount(a) == 0 && rib.count == 1)
        #expect(rib.counts(a).total == 0 && rib.counts(b).total == 1 && rib.store.count == 1)
    }

    @Test func withoutRecordingAPeerGoingDownListsNothing() {
        var rib = LocRIB(localAS: 65011)
        rib.recordChanges = false
        let a = rib.addPeer(F.peer(1, asn: 65001)), b = rib.addPeer(F.peer(2, asn: 65002))
        rib.apply(F.update(F.attrs([65001]), ["10.1.0.0/24", "10.2.0.0/24"]), from: a)
        rib.apply(F.update(F.attrs([65002, 7]), ["10.1.0.0/24"]), from: b)
        let c = rib.clearPeer(a)
        #expect(c.bestChanged.isEmpty && rib.count == 1 && rib.counts(a).total == 0)
        #expect(rib.best(F.rp("10.1.0.0/24"))?.peer == b && rib.store.count == 1)
    }

    @Test func aPeerGoingDownLeavesTheOtherPathBest() {
        var rib = LocRIB(localAS: 65011)
        let a = rib.addPeer(F.peer(1, asn: 65001)), b = rib.addPeer(F.peer(2, asn: 65002))
        rib.apply(F.update(F.attrs([65001]), ["10.1.0.0/24"]), from: a)
        rib.apply(F.update(F.attrs([65002, 7]), ["10.1.0.0/24"]), from: b)
        #expect(rib.best(F.rp("10.1.0.0/24"))?.peer == a)
        let c = rib.clearPeer(a)
        #expect(c.bestChanged == [F.rp("10.1.0.0/24")] && rib.best(F.rp("10.1.0.0/24"))?.peer == b)
        #expect(rib.counts(a).total == 0 && rib.counts(b).total == 1)
    }

    @Test func routesWithOurASAreKeptButNeverBest() {
        var rib = LocRIB(localAS: 65011)
        let a = rib.addPeer(F.peer(1, asn: 65001))
        let c = rib.apply(F.update(F.attrs([65001, 65011, 65005]), ["10.1.0.0/24"]), from: a)
        #expect(c.bestChanged.isEmpty && rib.best(F.rp("10.1.0.0/24")) == nil)
        #expect(rib.counts(a).received == [1, 0] && rib.counts(a).accepted == [0, 0])
    }

    @Test func localPrefFromAnExternalPeerIsIgnored() {
        var rib = LocRIB(localAS: 65011)
        let e = rib.addPeer(F.peer(1, asn: 65001)), i = rib.addPeer(F.peer(2, asn: 65011))
        rib.apply(F.update(F.attrs([65001, 7], localPref: 500), ["10.1.0.0/24"]), from: e)
        rib.apply(F.update(F.attrs([65001, 7, 8], localPref: 150), ["10.1.0.0/24"]), from: i)
        // RFC 4271 §5.1.5: ignored from eBGP (so 100), honoured from iBGP.
        #expect(rib.best(F.rp("10.1.0.0/24"))?.peer == i)
        #expect(rib.routes(peer: e).first?.attributes.attributes.localPref == nil)
    }

    @Test func withoutRecordingOnlyOurOwnRoutesListChanges() {
        var rib = LocRIB(localAS: 65011)
        rib.recordChanges = false
        let a = rib.addPeer(F.peer(1, asn: 65001))
        #expect(rib.apply(F.update(F.attrs([65001]), ["10.1.0.0/24"]), from: a).bestChanged.isEmpty)
        let vip = F.rp("10.0.1.100/32")
        #expect(rib.originate(vip, attributes: PathAttributes(origin: .igp, asPath: []), nextHop: .opaque([])).bestChanged == [vip])
        #expect(rib.withdrawOriginated(vip).bestChanged == [vip])
    }

    @Test func ourOwnRouteWinsOverALearnedOne() {
        var rib = LocRIB(localAS: 65011)
        let a = rib.addPeer(F.peer(1, asn: 65001))
        rib.apply(F.update(F.attrs([65001], localPref: 500), ["10.0.1.100/32"]), from: a)
        _ = rib.originate(F.rp("10.0.1.100/32"), attributes: PathAttributes(origin: .igp, asPath: []), nextHop: .ipv4(IPv4Address(0)))
        #expect(rib.best(F.rp("10.0.1.100/32"))?.peer == 0)
        _ = rib.withdrawOriginated(F.rp("10.0.1.100/32"))
        #expect(rib.best(F.rp("10.0.1.100/32"))?.peer == a)
    }

    @Test func addPathKeepsEachPathOfOnePeer() {
        var rib = LocRIB(localAS: 65011)
        let a = rib.addPeer(F.peer(1, asn: 65001))
        let p1 = IPv4Prefix(IPv4Address("10.1.0.0")!, 24, pathID: 1), p2 = IPv4Prefix(IPv4Address("10.1.0.0")!, 24, pathID: 2)
        rib.apply(.message(.update(UpdateMessage(attributes: F.attrs([65001, 9]), nlri: [p1]))), from: a)
        rib.apply(.message(.update(UpdateMessage(attributes: F.attrs([65001]), nlri: [p2]))), from: a)
        #expect(rib.paths(F.rp("10.1.0.0/24")).count == 2 && rib.best(F.rp("10.1.0.0/24"))?.pathID == 2)
        rib.apply(.message(.update(UpdateMessage(withdrawn: [p2]))), from: a)
        #expect(rib.paths(F.rp("10.1.0.0/24")).map(\.pathID) == [1] && rib.counts(a).total == 1)
    }
}

/// The best path kept incrementally (one comparison per change) against a
/// full decision over every path, under random announcements and
/// withdrawals from several peers, with ADD-PATH ids too.
@Suite struct IncrementalBestTests {
    typealias F = RIBFixture

    @Test(arguments: [11, 12, 13])
    func incrementalBestMatchesAFullDecision(seed: UInt64) {
        var rng = PrefixTableTests.rng(seed: seed)
        var rib = LocRIB(localAS: 65011)
        let peers = (1...5).map { rib.addPeer(F.peer(UInt8($0), asn: 65000 + UInt32($0) % 2, routerID: UInt32($0) * 7 % 5 + 1)) }
        let prefixes = (0..<6).map { IPv4Address(UInt32(10 << 24 | $0 << 8)) }
        for _ in 0..<4000 {
            let peer = peers[Int.random(in: 0..<peers.count, using: &rng)]
            let id = UInt32.random(in: 0...2, using: &rng)
            let prefix = IPv4Prefix(prefixes[Int.random(in: 0..<prefixes.count, using: &rng)], 24, pathID: id)
            if Int.random(in: 0..<3, using: &rng) == 0 {
                rib.apply(.message(.update(UpdateMessage(withdrawn: [prefix]))), from: peer)
            } else {
                let length = Int.random(in: 1...3, using: &rng)
                let a = F.attrs([65000 + UInt32(peer) % 2] + [UInt32](repeating: 7, count: length - 1),
                                localPref: nil, origin: Bool.random(using: &rng) ? .igp : .incomplete)
                rib.apply(.message(.update(UpdateMessage(attributes: a, nlri: [prefix]))), from: peer)
            }
            // Check one prefix against a full decision.
            let p = RoutePrefix.ipv4(IPv4Prefix(prefix.address, 24))
            let all = rib.paths(p).filter(\.isEligible)
            guard let best = rib.best(p) else {
                #expect(all.isEmpty)
                continue
            }
            for other in all where other != best {
                #expect(rib.decision.compare(rib.candidate(best), rib.candidate(other)).order <= 0)
            }
        }
        // Counts agree with the table.
        let total = peers.map { rib.counts($0).total }.reduce(0, +)
        #expect(total == rib.routes().count)
    }
}
