import BGPCodec
@testable import RIB
import Testing

/// One row per step of the decision process: two paths equal up to that
/// step, differing there; the expected winner and the step named.
@Suite struct DecisionTests {
    typealias F = RIBFixture

    struct Row: CustomStringConvertible, Sendable {
        var step: DecisionStep
        var a: PathAttributes
        var b: PathAttributes
        var peerA = F.peer(1, asn: 65001)
        var peerB = F.peer(2, asn: 65001)
        var aWins: Bool
        var description: String { "\(step)" }
    }

    static let rows: [Row] = {
        var rows: [Row] = []
        rows.append(Row(step: .localPref, a: F.attrs([65001, 1, 2], localPref: 200), b: F.attrs([65001]), aWins: true))
        rows.append(Row(step: .asPathLength, a: F.attrs([65001, 1]), b: F.attrs([65001]), aWins: false))
        var set = F.attrs([])
        set.asPath = [ASPathSegment(.sequence, [65001]), ASPathSegment(.set, [1, 2, 3])]
        rows.append(Row(step: .asPathLength, a: set, b: F.attrs([65001, 4, 5]), aWins: true))
        rows.append(Row(step: .origin, a: F.attrs([65001], origin: .incomplete), b: F.attrs([65001], origin: .egp), aWins: false))
        rows.append(Row(step: .med, a: F.attrs([65001], med: 5), b: F.attrs([65001], med: 10), aWins: true))
        // Missing MED is 0 (RFC 4271 §9.1.2.2 c).
        rows.append(Row(step: .med, a: F.attrs([65001], med: 5), b: F.attrs([65001]), aWins: false))
        // eBGP over iBGP: path lengths equal, B is from our own AS.
        rows.append(Row(step: .externalOverInternal, a: F.attrs([65001]), b: F.attrs([65001]),
                        peerB: F.peer(2, asn: 65011), aWins: true))
        rows.append(Row(step: .routerID, a: F.attrs([65001]), b: F.attrs([65001]),
                        peerA: F.peer(1, asn: 65001, routerID: 9), peerB: F.peer(2, asn: 65001, routerID: 3), aWins: false))
        var orig = F.attrs([65001])
        orig.originatorID = IPv4Address(1)
        rows.append(Row(step: .routerID, a: F.attrs([65001]), b: orig,
                        peerA: F.peer(1, asn: 65001, routerID: 2), peerB: F.peer(2, asn: 65001, routerID: 9), aWins: false))
        var cl = F.attrs([65001])
        cl.clusterList = [IPv4Address(1), IPv4Address(2)]
        rows.append(Row(step: .clusterListLength, a: cl, b: F.attrs([65001]),
                        peerA: F.peer(1, asn: 65001, routerID: 5), peerB: F.peer(2, asn: 65001, routerID: 5), aWins: false))
        rows.append(Row(step: .peerAddress, a: F.attrs([65001]), b: F.attrs([65001]),
                        peerA: F.peer(7, asn: 65001, routerID: 5), peerB: F.peer(3, asn: 65001, routerID: 5), aWins: false))
        return rows
    }()

    @Test(arguments: rows)
    func eachStepDecides(row: Row) {
        let d = Decision()
        let a = Candidate(attributes: row.a, nextHop: .ipv4(row.a.nextHop!), peer: row.peerA, isLocal: false)
        let b = Candidate(attributes: row.b, nextHop: .ipv4(row.b.nextHop!), peer: row.peerB, isLocal: false)
        let r = d.compare(a, b)
        #expect(r.step == row.step)
        #expect((r.order < 0) == row.aWins)
        #expect(d.compare(b, a).order == -r.order)
    }

    @Test func medIsComparedOnlyWithinOneNeighbourASUnlessAlwaysCompare() {
        let a = Candidate(attributes: F.attrs([65001], med: 50), nextHop: .ipv4(IPv4Address(1)), peer: F.peer(1, asn: 65001, routerID: 1), isLocal: false)
        let b = Candidate(attributes: F.attrs([65002], med: 10), nextHop: .ipv4(IPv4Address(1)), peer: F.peer(2, asn: 65002, routerID: 2), isLocal: false)
        #expect(Decision().compare(a, b).step == .routerID)
        let always = Decision(options: BestPathOptions(alwaysCompareMED: true))
        #expect(always.compare(a, b).step == .med && always.compare(a, b).order > 0)
    }

    @Test func igpCostDecidesWhereKnown() {
        let near = IPv4Address("10.0.0.1")!, far = IPv4Address("10.0.0.2")!
        let d = Decision(igpCost: { nh in nh == .ipv4(near) ? 1 : 10 })
        let a = Candidate(attributes: F.attrs([65001]), nextHop: .ipv4(far), peer: F.peer(1, asn: 65001, routerID: 1), isLocal: false)
        let b = Candidate(attributes: F.attrs([65001]), nextHop: .ipv4(near), peer: F.peer(2, asn: 65001, routerID: 2), isLocal: false)
        #expect(d.compare(a, b).step == .igpCost && d.compare(a, b).order > 0)
    }

    @Test func multipathKeepsPathsEqualUpToIGPCost() {
        var rib = LocRIB(localAS: 65011, decision: Decision(options: BestPathOptions(multipath: true)))
        let a = rib.addPeer(F.peer(1, asn: 65001)), b = rib.addPeer(F.peer(2, asn: 65001)), c = rib.addPeer(F.peer(3, asn: 65001))
        rib.apply(F.update(F.attrs([65001, 1], nh: "10.255.0.1"), ["10.1.0.0/24"]), from: a)
        rib.apply(F.update(F.attrs([65001, 2], nh: "10.255.0.2"), ["10.1.0.0/24"]), from: b)
        rib.apply(F.update(F.attrs([65001, 3, 4], nh: "10.255.0.3"), ["10.1.0.0/24"]), from: c)
        let set = rib.multipath(F.rp("10.1.0.0/24"))
        #expect(Set(set.map(\.peer)) == [a, b])
        var single = LocRIB(localAS: 65011)
        let s = single.addPeer(F.peer(1, asn: 65001))
        single.apply(F.update(F.attrs([65001]), ["10.1.0.0/24"]), from: s)
        #expect(single.multipath(F.rp("10.1.0.0/24")).count == 1)
    }
}
