import BGPCodec
import BGPSession
import RIB
import Testing

@Suite struct VIPExportTests {
    func session(local: UInt32 = 65011, peer: UInt32 = 65001, fourOctet: Bool = true,
                 families: [AddressFamily] = [.ipv4Unicast, .ipv6Unicast]) -> ExportSession {
        var c = SessionConfig(localAS: local, routerID: IPv4Address("10.0.0.11")!, peerAS: peer)
        c.families = families
        c.fourOctetAS = fourOctet
        var r = SessionConfig(localAS: peer, routerID: IPv4Address("10.0.0.1")!, peerAS: local)
        r.families = families
        r.fourOctetAS = fourOctet
        let n = try! NegotiatedSession.negotiate(config: c, local: c.localOpen, remote: r.localOpen).get()
        return ExportSession(localAS: local, peerAS: peer, negotiated: n, nextHopIPv4: IPv4Address("10.255.0.2")!,
                             nextHopIPv6: IPv6Address("fd00:255::2")!)
    }

    let v4 = VIPRoute(prefix: .ipv4(IPv4Prefix("10.0.1.100/32")!), communities: [65011 << 16 | 100],
                      largeCommunities: [LargeCommunity(65011, 1, 1)], med: 10, localPref: 200, asPathPrepend: 2)
    let v6 = VIPRoute(prefix: .ipv6(IPv6Prefix("fd00:1::100/128")!))

    func decode(_ m: [UInt8]) -> UpdateMessage? {
        if case .message(.update(let u)) = MessageCodec.decode(m) { return u }
        return nil
    }

    @Test func eBGPAnnouncement() throws {
        let msgs = VIPExport.announce([v4, v6], session: session())
        #expect(msgs.count == 2)
        let u4 = try #require(decode(msgs[0]))
        #expect(u4.nlri == [IPv4Prefix("10.0.1.100/32")!])
        #expect(u4.attributes.asPath == [ASPathSegment(.sequence, [65011, 65011, 65011])])
        #expect(u4.attributes.nextHop == IPv4Address("10.255.0.2")!)
        #expect(u4.attributes.med == 10 && u4.attributes.localPref == nil)
        #expect(u4.attributes.communities == [65011 << 16 | 100] && u4.attributes.largeCommunities == [LargeCommunity(65011, 1, 1)])
        let u6 = try #require(decode(msgs[1]))
        #expect(u6.attributes.mpReach?.nextHop == .ipv6(IPv6Address("fd00:255::2")!, linkLocal: nil))
        #expect(u6.attributes.mpReach?.nlri == .ipv6([IPv6Prefix("fd00:1::100/128")!]))
    }

    @Test func iBGPGetsLocalPrefAndNoOwnAS() throws {
        let u = try #require(decode(VIPExport.announce([v4], session: session(peer: 65011))[0]))
        #expect(u.attributes.asPath == [] && u.attributes.localPref == 200)
    }

    @Test func twoOctetPeerGetsASTrans() throws {
        let s = session(local: 4_200_000_011, peer: 65001, fourOctet: false)
        let msgs = VIPExport.announce([VIPRoute(prefix: v4.prefix)], session: s)
        guard case .message(.update(let u)) = MessageCodec.decode(msgs[0], context: s.negotiated.receiveContext) else {
            Issue.record("did not decode")
            return
        }
        #expect(u.attributes.asPath == [ASPathSegment(.sequence, [23456])])
        #expect(u.attributes.as4Path == [ASPathSegment(.sequence, [4_200_000_011])])
    }

    @Test func familiesNotNegotiatedAreLeftOut() {
        #expect(VIPExport.announce([v4, v6], session: session(families: [.ipv4Unicast])).count == 1)
        let w = VIPExport.withdraw([v4.prefix, v6.prefix], session: session())
        #expect(w.count == 2)
        #expect(decode(w[0])?.withdrawn == [IPv4Prefix("10.0.1.100/32")!])
    }
}
