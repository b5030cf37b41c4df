import BGPCodec
import RIB
import Testing
import VipdConfig
@testable import vipd

/// The gate's plan for each VIP: health, election, drain and link, one row
/// per rule and both ways.
@Suite struct VIPGateTests {
    func vip(_ mode: VIPMode, health: Bool = false, advertise: Advertise = .all, standby: UInt8 = 0) -> VIPConfig {
        var v = VIPConfig(address: IPAddress("10.0.0.100")!, mode: mode)
        v.health = health
        v.advertise = advertise
        v.standbyPrepend = standby
        v.elected = mode == .arp
        return v
    }

    @Test func bgpVIPsAreAdvertisedEverywhereByDefault() {
        #expect(GateState().plan(vip(.bgp)) == .advertise(extraPrepend: 0, drained: false))
        var g = GateState(electionConfigured: true)
        #expect(g.plan(vip(.bgp)) == .advertise(extraPrepend: 0, drained: false))
        g.ownsElection = true
        #expect(g.plan(vip(.bgp)) == .advertise(extraPrepend: 0, drained: false))
    }

    @Test func advertiseLeaderAndStandbyPrepend() {
        var g = GateState(electionConfigured: true)
        #expect(g.plan(vip(.bgp, advertise: .leader)) == .off(.standby))
        #expect(g.plan(vip(.bgp, advertise: .leader, standby: 3)) == .advertise(extraPrepend: 3, drained: false))
        g.ownsElection = true
        #expect(g.plan(vip(.bgp, advertise: .leader)) == .advertise(extraPrepend: 0, drained: false))
        #expect(g.plan(vip(.bgp, advertise: .leader, standby: 3)) == .advertise(extraPrepend: 0, drained: false))
    }

    @Test func healthGatesEveryModeButLeavesTheLeadersElectedVIPsToTheHandover() {
        var g = GateState(healthUp: false)
        #expect(g.plan(vip(.bgp, health: true)) == .off(.withdrawn))
        #expect(g.plan(vip(.bgp, health: false)) == .advertise(extraPrepend: 0, drained: false))
        #expect(g.plan(vip(.table, health: true)) == .off(.withdrawn))
        #expect(g.plan(vip(.arp, health: true)) == .off(.withdrawn))
        g.healthUp = true
        #expect(g.plan(vip(.table, health: true)) == .own)
        #expect(g.plan(vip(.arp, health: true)) == .own)
        // With an election: a failing leader keeps the elected VIP until the
        // handover drops it; a failing follower's standby route goes.
        g = GateState(electionConfigured: true, ownsElection: true, healthUp: false)
        #expect(g.plan(vip(.arp, health: true)) == .own)
        #expect(g.plan(vip(.bgp, health: true, advertise: .leader)) == .advertise(extraPrepend: 0, drained: false))
        #expect(g.plan(vip(.bgp, health: true)) == .off(.withdrawn))
        g.ownsElection = false
        #expect(g.plan(vip(.arp, health: true)) == .off(.withdrawn))
        #expect(g.plan(vip(.bgp, health: true, advertise: .leader, standby: 2)) == .off(.withdrawn))
    }

    @Test func arpVIPsFollowTheElectionAndTheLink() {
        var g = GateState(electionConfigured: true)
        #expect(g.plan(vip(.arp)) == .off(.standby))
        g.ownsElection = true
        #expect(g.plan(vip(.arp)) == .own)
        g.linkUsable = false
        #expect(g.plan(vip(.arp)) == .off(.down))
        // Without an election every node owns it while its link is up.
        var solo = GateState()
        solo.linkUsable = true
        var v = vip(.arp)
        v.elected = false
        #expect(solo.plan(v) == .own)
        solo.linkUsable = nil
        #expect(solo.plan(v) == .own)
    }

    @Test func aDrainAddsGracefulShutdownAndLocalPrefZero() {
        var g = GateState()
        g.drained = true
        var v = vip(.bgp)
        v.communities = [Community(65011, 100)]
        v.localPref = 300
        let plan = g.plan(v)
        #expect(plan == .advertise(extraPrepend: 0, drained: true))
        let r = GateState.route(v, plan)!
        #expect(r.communities == [65011 << 16 | 100, 0xFFFF_0000])
        #expect(r.localPref == 0)
        // Undrained: the config's own attributes, untouched.
        let normal = GateState.route(v, GateState().plan(v))!
        #expect(normal.communities == [65011 << 16 | 100] && normal.localPref == 300)
        #expect(GateState.route(v, .off(.withdrawn)) == nil)
        // Prepends add up: the VIP's own and the standby's.
        v.asPathPrepend = 1
        #expect(GateState.route(v, .advertise(extraPrepend: 2, drained: false))?.asPathPrepend == 3)
    }

    @Test func theNodeCampaignsOnlyWhileHealthyAndLinked() {
        var g = GateState(electionConfigured: true)
        #expect(g.mayCampaign(healthGated: false, hasARPVIPs: true))
        // Health gating: not before the first pass, not while failing.
        #expect(!g.mayCampaign(healthGated: true, hasARPVIPs: false))
        g.healthUp = false
        #expect(!g.mayCampaign(healthGated: true, hasARPVIPs: false))
        #expect(g.mayCampaign(healthGated: false, hasARPVIPs: false))
        g.healthUp = true
        #expect(g.mayCampaign(healthGated: true, hasARPVIPs: true))
        // The ARP interface matters only with ARP VIPs.
        g.linkUsable = false
        #expect(!g.mayCampaign(healthGated: true, hasARPVIPs: true))
        #expect(g.mayCampaign(healthGated: true, hasARPVIPs: false))
    }
}
