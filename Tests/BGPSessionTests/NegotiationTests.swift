import BGPCodec
import BGPSession
import Testing

@Suite struct NegotiationTests {
    let ours = config(65011, "10.0.0.11", peer: 65001)

    func negotiate(_ local: SessionConfig, _ remote: OpenMessage) -> Result<NegotiatedSession, NotificationMessage> {
        NegotiatedSession.negotiate(config: local, local: local.localOpen, remote: remote)
    }

    func peer(_ edit: (inout SessionConfig) -> Void = { _ in }) -> OpenMessage {
        var c = config(65001, "10.0.0.1", peer: 65011)
        edit(&c)
        return c.localOpen
    }

    @Test func familiesAreTheIntersection() throws {
        let n = try negotiate(ours, peer { $0.families = [.ipv6Unicast, .ipv4Multicast] }).get()
        #expect(n.families == [.ipv6Unicast])
    }

    @Test func noMultiprotocolCapabilityMeansIPv4Unicast() throws {
        let bare = OpenMessage(asn: 65001, holdTime: 90, identifier: a4("10.0.0.1"), capabilities: [])
        let n = try negotiate(ours, bare).get()
        #expect(n.families == [.ipv4Unicast])
        #expect(!n.fourOctetAS && !n.routeRefresh)
    }

    @Test func holdTimeIsTheSmallerAndKeepaliveAThird() throws {
        let n = try negotiate(ours, peer { $0.holdTime = 9 }).get()
        #expect(n.holdTime == 9 && n.keepaliveTime == 3)
        var short = ours
        short.keepaliveTime = 10
        let m = try negotiate(short, peer()).get()
        #expect(m.holdTime == 90 && m.keepaliveTime == 10)
        let z = try negotiate(ours, peer { $0.holdTime = 0 }).get()
        #expect(z.holdTime == 0 && z.keepaliveTime == 0)
    }

    @Test func wrongPeerASIsBadPeerAS() {
        let r = negotiate(ours, peer { $0.localAS = 65002 })
        #expect(r == .failure(NotificationMessage(code: 2, subcode: 2, data: [0xFD, 0xEA])))
    }

    @Test func fourOctetASNeedsTheCapabilityOnBothSides() throws {
        var big = config(4_200_000_011, "10.0.0.11", peer: 4_200_000_001)
        let remote = config(4_200_000_001, "10.0.0.1", peer: 4_200_000_011).localOpen
        #expect(remote.myAS == 23456)
        let n = try NegotiatedSession.negotiate(config: big, local: big.localOpen, remote: remote).get()
        #expect(n.fourOctetAS && n.peerAS == 4_200_000_001)
        #expect(n.receiveContext.fourOctetAS)
        // A peer without the capability can only be a 2-octet AS.
        big.peerAS = 65002
        var old = config(65002, "10.0.0.1", peer: 4_200_000_011)
        old.fourOctetAS = false
        #expect(old.localOpen.myAS == 65002)
        let m = try NegotiatedSession.negotiate(config: big, local: big.localOpen, remote: old.localOpen).get()
        #expect(!m.fourOctetAS && !m.sendContext.fourOctetAS && m.peerAS == 65002)
    }

    @Test func sameIdentifierIsRefusedOnlyForInternalPeers() {
        var ibgp = config(65011, "10.0.0.11", peer: 65011)
        ibgp.routerID = a4("10.0.0.1")
        let remote = config(65011, "10.0.0.1", peer: 65011).localOpen
        #expect(NegotiatedSession.negotiate(config: ibgp, local: ibgp.localOpen, remote: remote)
                == .failure(NotificationMessage(code: 2, subcode: 3)))
        var ebgp = ours
        ebgp.routerID = a4("10.0.0.1")
        #expect((try? NegotiatedSession.negotiate(config: ebgp, local: ebgp.localOpen, remote: peer()).get()) != nil)
    }

    @Test func unsupportedCapabilityOnlyWhenRequired() {
        var strict = ours
        strict.requiredCapabilities = [65, 70]
        #expect((try? negotiate(strict, peer()).get()) != nil)
        let r = negotiate(strict, peer { $0.enhancedRouteRefresh = false })
        #expect(r == .failure(NotificationMessage(code: 2, subcode: 7, data: [70, 0])))
        // Without the requirement the same peer is fine.
        #expect((try? negotiate(ours, peer { $0.enhancedRouteRefresh = false }).get())?.enhancedRouteRefresh == false)
    }

    @Test func rolesMustPair() {
        var provider = ours
        provider.role = BGPRole.provider.rawValue
        #expect((try? negotiate(provider, peer { $0.role = BGPRole.customer.rawValue }).get()) != nil)
        #expect(negotiate(provider, peer { $0.role = BGPRole.peer.rawValue }) == .failure(NotificationMessage(code: 2, subcode: 11)))
        #expect((try? negotiate(provider, peer()).get()) != nil)  // the peer sends no role
    }

    @Test func addPathDirections() throws {
        var local = ours
        local.addPath = [AddPathEntry(family: .ipv4Unicast, sendReceive: 3), AddPathEntry(family: .ipv6Unicast, sendReceive: 1)]
        let n = try negotiate(local, peer {
            $0.addPath = [AddPathEntry(family: .ipv4Unicast, sendReceive: 1), AddPathEntry(family: .ipv6Unicast, sendReceive: 2)]
        }).get()
        #expect(n.addPathSend == [.ipv4Unicast])
        #expect(n.addPathReceive == [.ipv6Unicast])
    }

    @Test func gracefulRestartAndExtendedMessage() throws {
        var local = ours
        local.gracefulRestart = GracefulRestartConfig(restartTime: 120)
        local.extendedMessage = true
        let n = try negotiate(local, peer {
            $0.gracefulRestart = GracefulRestartConfig(restartTime: 90, restarting: true, forwardingPreserved: true)
            $0.extendedMessage = true
        }).get()
        #expect(n.gracefulRestart && n.peerGracefulRestart?.restartTime == 90 && n.peerGracefulRestart?.restartState == true)
        #expect(n.peerGracefulRestart?.families.allSatisfy(\.forwardingState) == true)
        #expect(n.receiveContext.maxMessageLength == 65535)
    }

    @Test func localOpenCarriesTheConfiguredCapabilities() {
        var c = ours
        c.hostname = "node1"
        c.gracefulRestart = GracefulRestartConfig(restartTime: 120, restarting: true)
        let o = c.localOpen
        #expect(o.asn == 65011 && o.holdTime == 90 && o.identifier == a4("10.0.0.11"))
        #expect(o.capabilities.contains(.multiprotocol(.ipv6Unicast)))
        #expect(o.capabilities.contains(.fourOctetAS(65011)))
        #expect(o.capabilities.contains(.fqdn(hostname: Array("node1".utf8), domain: [])))
        #expect(o.capabilities.contains { if case .gracefulRestart(let g) = $0 { g.restartState && g.restartTime == 120 } else { false } })
    }
}
