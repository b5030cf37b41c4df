import BGPCodec
import Testing
@testable import VipdConfig

/// What a SIGHUP reload resets, and what it applies in place.
@Suite struct DiffTests {
    static let base = """
        router_id: 10.0.0.11
        asn: 65011
        policies:
          - name: in
            rules: [{match: {community: "65001:1"}, action: {local_pref: 200}}]
        peers:
          - {address: 10.0.0.1, asn: 65001, import: in}
          - {address: 10.0.0.2, asn: 65002}
          - {address: 10.0.0.3, asn: 65003}
        vips:
          - 10.0.1.100
          - {address: 10.0.1.101, communities: ["65011:1"]}
        """

    func diff(_ new: String) throws -> ConfigDiff {
        let old = try #require(parse(Self.base))
        let changed = try #require(parse(new))
        return ConfigDiff(old: old, new: changed)
    }

    @Test func sameConfigIsEmpty() throws {
        let d = try diff(Self.base)
        #expect(d.isEmpty && !d.resetsSessions && d.peersToReevaluate.isEmpty)
    }

    @Test(arguments: [
        ("{address: 10.0.0.2, asn: 65022}", PeerSetting.asn),
        ("{address: 10.0.0.2, asn: 65002, port: 1179}", .port),
        ("{address: 10.0.0.2, asn: 65002, passive: true}", .passive),
        ("{address: 10.0.0.2, asn: 65002, password: x}", .password),
        ("{address: 10.0.0.2, asn: 65002, ttl_security: true}", .ttlSecurity),
        ("{address: 10.0.0.2, asn: 65002, multihop: 2}", .multihop),
        ("{address: 10.0.0.2, asn: 65002, hold_time: 60, keepalive: 30}", .holdTime),
        ("{address: 10.0.0.2, asn: 65002, keepalive: 10}", .keepalive),
        ("{address: 10.0.0.2, asn: 65002, families: [ipv4-unicast, ipv6-unicast]}", .families),
        ("{address: 10.0.0.2, asn: 65002, graceful_restart: {enabled: true}}", .gracefulRestart),
        ("{address: 10.0.0.2, asn: 65002, source_address: 10.0.0.11}", .sourceAddress),
    ])
    func sessionParametersReset(peer: String, setting: PeerSetting) throws {
        let listen = setting == .passive ? "listen: {}\n" : ""
        let d = try diff(Self.base.replacingOccurrences(of: "{address: 10.0.0.2, asn: 65002}", with: peer) + "\n" + listen)
        let change = try #require(d.peersChanged.first)
        #expect(d.peersChanged.count == 1 && change.new.address == ip("10.0.0.2"))
        #expect(change.settings.contains(setting) && change.needsReset)
        #expect(d.peersToReset.map(\.address) == [ip("10.0.0.2")])
        #expect(d.peersToReevaluate.isEmpty && d.peersAdded.isEmpty && d.peersRemoved.isEmpty)
    }

    @Test(arguments: [
        ("{address: 10.0.0.2, asn: 65002, import: accept-none}", PeerSetting.importPolicy),
        ("{address: 10.0.0.2, asn: 65002, export: all}", .exportPolicy),
        ("{address: 10.0.0.2, asn: 65002, max_prefix: {limit: 10}}", .maxPrefix),
        ("{address: 10.0.0.2, asn: 65002, mrai: 5}", .mrai),
    ])
    func routingChangesApplyInPlace(peer: String, setting: PeerSetting) throws {
        let d = try diff(Self.base.replacingOccurrences(of: "{address: 10.0.0.2, asn: 65002}", with: peer))
        #expect(d.peersChanged.map(\.settings) == [[setting]])
        #expect(!d.resetsSessions && d.peersToReset.isEmpty)
        #expect(d.peersToReevaluate.map(\.address) == [ip("10.0.0.2")])
    }

    @Test func familiesInAnotherOrderChangeNothing() throws {
        let a = "{address: 10.0.0.2, asn: 65002, families: [ipv4-unicast, ipv6-unicast]}"
        let b = "{address: 10.0.0.2, asn: 65002, families: [ipv6-unicast, ipv4-unicast]}"
        let old = try #require(parse(Self.base.replacingOccurrences(of: "{address: 10.0.0.2, asn: 65002}", with: a)))
        let new = try #require(parse(Self.base.replacingOccurrences(of: "{address: 10.0.0.2, asn: 65002}", with: b)))
        #expect(ConfigDiff(old: old, new: new).peersChanged.isEmpty)
    }

    @Test func peersAddedAndRemoved() throws {
        // 10.0.0.3's address changes: one removed, one added, nothing reset.
        let d = try diff(Self.base.replacingOccurrences(of: "10.0.0.3, asn: 65003", with: "10.0.0.4, asn: 65003"))
        #expect(d.peersRemoved.map(\.address) == [ip("10.0.0.3")])
        #expect(d.peersAdded.map(\.address) == [ip("10.0.0.4")])
        #expect(d.peersChanged.isEmpty && !d.resetsSessions)
    }

    @Test func vipAndPolicyChangesNeedNoReset() throws {
        let d = try diff(Self.base
            .replacingOccurrences(of: "communities: [\"65011:1\"]", with: "communities: [\"65011:2\"]")
            .replacingOccurrences(of: "  - 10.0.1.100\n", with: "  - 10.0.1.102\n")
            .replacingOccurrences(of: "local_pref: 200", with: "local_pref: 300"))
        #expect(d.vipsAdded.map(\.address) == [ip("10.0.1.102")])
        #expect(d.vipsRemoved.map(\.address) == [ip("10.0.1.100")])
        #expect(d.vipsChanged.map(\.new.communities) == [[Community(65011, 2)]])
        #expect(d.policiesChanged == ["in"] && d.peersChanged.isEmpty)
        #expect(!d.resetsSessions)
        // The peer whose import uses the changed policy is re-evaluated.
        #expect(d.peersToReevaluate.map(\.address) == [ip("10.0.0.1")])
        #expect(d.sectionsChanged.isEmpty)
    }

    @Test func ourASOrRouterIDResetsEveryKeptPeer() throws {
        let d = try diff(Self.base.replacingOccurrences(of: "router_id: 10.0.0.11", with: "router_id: 10.0.0.12")
            .replacingOccurrences(of: "  - {address: 10.0.0.3, asn: 65003}\n", with: "  - {address: 10.0.0.9, asn: 65009}\n"))
        #expect(d.sessionWideChanges == [.routerID])
        #expect(d.peersToReset.map(\.address) == [ip("10.0.0.1"), ip("10.0.0.2")])
        #expect(d.peersToReevaluate.isEmpty)
        #expect(d.sectionsChanged == ["router_id"])
    }

    @Test func ourASMakesAPeerInternal() throws {
        // The same peer config means a different session when our AS becomes
        // its AS: iBGP, and so TTL 255 by default.
        let d = try diff(Self.base.replacingOccurrences(of: "asn: 65011", with: "asn: 65002"))
        #expect(d.sessionWideChanges == [.asn])
        #expect(d.peersChanged.map(\.settings) == [[.multihop]])
        #expect(d.peersToReset.count == 3)
    }

    @Test func otherSections() throws {
        let d = try diff(Self.base + "\nlisten: {port: 1179}\nfib: {install: true}\nlayer2: {nodad: false}\n")
        #expect(d.sectionsChanged == ["listen", "layer2", "fib"])
        #expect(!d.resetsSessions)
    }
}

@Suite struct HostDefaultTests {
    @Test func fillsWhatTheFileLeftOut() throws {
        let c = try #require(parse("asn: 1\npeers: [{address: 10.0.0.1, asn: 2}]\n"))
        let host = HostFacts(hostName: "node7", defaultRouteInterface: "eth1", defaultRouteIPv4: v4("10.0.0.7"))
        let r = try c.resolvingHostDefaults(host)
        #expect(r.nodeName == "node7" && r.interface == "eth1" && r.routerID == v4("10.0.0.7"))
        // The file's values stay.
        let own = try #require(parse("node_name: a\ninterface: b\nrouter_id: 1.1.1.1\n"))
        #expect(try own.resolvingHostDefaults(host) == own)
    }

    @Test func refusedWhenTheHostHasNothingToGive() throws {
        let c = try #require(parse("""
            asn: 1
            peers: [{address: 10.0.0.1, asn: 2}]
            election: {endpoints: ["http://127.0.0.1:2379"]}
            vips: [{address: 10.0.0.5, mode: arp}]
            """))
        #expect(throws: ConfigErrors.self) { try c.resolvingHostDefaults(HostFacts()) }
        do {
            _ = try c.resolvingHostDefaults(HostFacts())
        } catch {
            #expect(error.errors.map(\.path) == ["router_id", "interface", "node_name"])
        }
        // Without peers, ARP VIPs or an election, nothing is needed.
        #expect(try VipdConfig().resolvingHostDefaults(HostFacts()) == VipdConfig())
    }
}
