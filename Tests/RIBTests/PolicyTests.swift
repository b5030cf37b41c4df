import BGPCodec
@testable import RIB
import Testing

@Suite struct RoutePolicyTests {
    typealias F = RIBFixture

    static func range(_ p: String, _ lengths: ClosedRange<UInt8>) -> PrefixRange {
        PrefixRange(prefix: F.rp(p), lengths: lengths)
    }

    @Test func prefixRangesMatchInsideTheirLengths() {
        let r = Self.range("10.0.0.0/8", 24...32)
        #expect(r.matches(F.rp("10.1.2.0/24")) && r.matches(F.rp("10.1.2.3/32")))
        #expect(!r.matches(F.rp("10.1.0.0/16")) && !r.matches(F.rp("11.1.2.0/24")) && !r.matches(F.rp("fd00::/64")))
        let six = Self.range("fd00::/16", 48...64)
        #expect(six.matches(F.rp("fd00:1:2::/48")) && !six.matches(F.rp("fd01::/48")) && !six.matches(F.rp("fd00::/128")))
    }

    func fromTor() throws -> RoutePolicy {
        .rules(name: "from-tor", [
            PolicyRuleSpec(conditions: try PolicyConditions(prefixes: [Self.range("10.0.0.0/8", 24...32)], community: 65001 << 16 | 1, asPath: "^65001( |$)"),
                           accept: PolicyChanges(localPref: 200, med: 10, addCommunities: [65011 << 16 | 7])),
            PolicyRuleSpec(conditions: try PolicyConditions(prefixes: [Self.range("192.168.0.0/16", 16...32)]), accept: nil),
            PolicyRuleSpec(conditions: try PolicyConditions(asPath: "65099$"), accept: PolicyChanges()),
        ])
    }

    @Test func firstMatchDecidesAndNoMatchRejects() throws {
        let p = try fromTor()
        var cache: [Bool]? = nil
        let tagged = F.attrs([65001, 65002], communities: [65001 << 16 | 1])
        #expect(p.evaluate(F.rp("10.1.2.0/24"), tagged, cache: &cache) == .accept(rule: 0))
        #expect(p.evaluate(F.rp("10.1.0.0/16"), tagged, cache: &cache) == .reject)
        cache = nil
        #expect(p.evaluate(F.rp("192.168.1.0/24"), F.attrs([65099]), cache: &cache) == .reject)
        cache = nil
        #expect(p.evaluate(F.rp("172.16.0.0/24"), F.attrs([65001, 65099]), cache: &cache) == .accept(rule: 2))
        let changed = p.changes(.accept(rule: 0))!.apply(to: tagged)
        #expect(changed.localPref == 200 && changed.med == 10 && changed.communities == [65001 << 16 | 1, 65011 << 16 | 7])
    }

    @Test func deniedRoutesAreKeptAndAPolicyChangeAcceptsThemWithoutARefresh() throws {
        var rib = LocRIB(localAS: 65011)
        let a = rib.addPeer(F.peer(1, asn: 65001), importPolicy: .acceptNone)
        rib.apply(F.update(F.attrs([65001], communities: [65001 << 16 | 1]), ["10.1.2.0/24", "10.9.0.0/16"]), from: a)
        #expect(rib.count == 2 && rib.best(F.rp("10.1.2.0/24")) == nil)
        #expect(rib.counts(a).received == [2, 0] && rib.counts(a).accepted == [0, 0])
        let c = rib.setImportPolicy(a, try fromTor())
        #expect(c.bestChanged == [F.rp("10.1.2.0/24")])
        let best = rib.best(F.rp("10.1.2.0/24"))!
        #expect(rib.store[best.attributes].attributes.localPref == 200 && rib.store[best.attributes].learned.localPref == nil)
        #expect(rib.best(F.rp("10.9.0.0/16")) == nil && rib.counts(a).accepted == [1, 0])
        // And back: accept-all restores what the peer sent.
        _ = rib.setImportPolicy(a, .acceptAll)
        #expect(rib.store[rib.best(F.rp("10.1.2.0/24"))!.attributes].attributes.localPref == nil)
        #expect(rib.counts(a).accepted == [2, 0])
        #expect(rib.store.count == 1)
    }

    @Test func importPolicyChangesTheDecision() throws {
        var rib = LocRIB(localAS: 65011)
        let a = rib.addPeer(F.peer(1, asn: 65001))
        let b = rib.addPeer(F.peer(2, asn: 65001), importPolicy: .rules(name: "prefer", [
            PolicyRuleSpec(conditions: try PolicyConditions(), accept: PolicyChanges(localPref: 300)),
        ]))
        rib.apply(F.update(F.attrs([65001]), ["10.1.0.0/24"]), from: a)
        rib.apply(F.update(F.attrs([65001, 5, 6]), ["10.1.0.0/24"]), from: b)
        #expect(rib.best(F.rp("10.1.0.0/24"))?.peer == b)
    }
}
