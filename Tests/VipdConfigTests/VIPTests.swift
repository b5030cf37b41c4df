import BGPCodec
import Testing
@testable import VipdConfig

@Suite struct VIPTests {
    static let election = "election: {endpoints: [\"http://10.0.0.1:2379\"]}\n"
    static let health = "health: {type: tcp, target: \"127.0.0.1:6443\"}\n"

    @Test func plainStringIsAnAddress() throws {
        let c = try #require(parse("vips:\n  - 10.0.1.100\n  - \"fd00::100\"\n  - address: 10.0.1.101\n"))
        #expect(c.vips == [VIPConfig(address: ip("10.0.1.100")), VIPConfig(address: ip("fd00::100")), VIPConfig(address: ip("10.0.1.101"))])
    }

    @Test func defaultsByMode() throws {
        let c = try #require(parse("vips:\n  - {address: 10.0.0.1}\n  - {address: 10.0.0.2, mode: arp}\n  - {address: 10.0.0.3, mode: table}\n"))
        #expect(c.vips[0].mode == .bgp && c.vips[0].local && c.vips[0].advertise == .all && c.vips[0].standbyPrepend == 0)
        #expect(c.vips[0].communities.isEmpty && c.vips[0].med == nil && c.vips[0].localPref == nil && c.vips[0].asPathPrepend == 0)
        #expect(c.vips[1].mode == .arp && !c.vips[1].local && !c.vips[1].elected)
        #expect(c.vips[2].mode == .table && c.vips[2].local)
        #expect(c.vips.allSatisfy { !$0.health })
    }

    @Test func electionAndHealthSetTheDefaults() throws {
        let c = try #require(parse(Self.election + Self.health + "vips:\n  - {address: 10.0.0.2, mode: arp}\n  - 10.0.0.3\n"))
        #expect(c.vips[0].elected && c.vips[0].health)
        #expect(!c.vips[1].elected && c.vips[1].health)
        // health can still be turned off per VIP.
        #expect(parse(Self.health + "vips:\n  - {address: 10.0.0.1, health: false}\n")?.vips[0].health == false)
    }

    @Test func leaderAdvertisementWithStandbyPrepend() throws {
        let v = try #require(parse(Self.election + "vips:\n  - {address: 10.0.0.1, advertise: leader, standby_prepend: 3}\n")?.vips.first)
        #expect(v.advertise == .leader && v.standbyPrepend == 3)
    }

    /// The combinations interfaces.md calls nonsensical.
    @Test(arguments: [
        ("", "{address: 10.0.0.1, standby_prepend: 2}", "vips[0].standby_prepend",
         "standby_prepend needs advertise: leader (with advertise: all every node advertises anyway)"),
        (election, "{address: 10.0.0.1, advertise: all, standby_prepend: 2}", "vips[0].standby_prepend",
         "standby_prepend needs advertise: leader (with advertise: all every node advertises anyway)"),
        ("", "{address: 10.0.0.1, advertise: leader}", "vips[0].advertise",
         "advertise: leader needs an election (set election, or advertise: all)"),
        (election, "{address: 10.0.0.1, mode: arp, elected: false}", "vips[0].elected",
         "elected: false on an ARP VIP while an election is set: every node would own it"),
        ("", "{address: 10.0.0.1, mode: arp, elected: true}", "vips[0].elected",
         "elected: true needs an election; without one every node owns its ARP VIPs"),
        ("", "{address: 10.0.0.1, health: true}", "vips[0].health",
         "health: true needs a health check (the top-level health section)"),
        ("", "{address: 10.0.0.1, mode: arp, communities: [\"1:1\"]}", "vips[0].communities",
         "applies to mode bgp only; this VIP's mode is arp"),
        ("", "{address: 10.0.0.1, mode: arp, local: true}", "vips[0].local",
         "applies to mode bgp and table only; this VIP's mode is arp"),
        ("", "{address: 10.0.0.1, mode: table, med: 5}", "vips[0].med",
         "applies to mode bgp only; this VIP's mode is table"),
        ("", "{address: 10.0.0.1, mode: l2}", "vips[0].mode", "'l2' is not one of bgp, arp, table"),
        ("", "{address: 10.0.0.1, as_path_prepend: 33}", "vips[0].as_path_prepend", "33 is out of range (0-32)"),
        ("", "{address: 10.0.0.1, communities: [\"65536:1\"]}", "vips[0].communities[0]",
         "'65536:1' is not a community (\"a:b\" with each part 0-65535, or blackhole, graceful-shutdown, no-advertise, no-export, no-export-subconfed)"),
        ("", "{address: 10.0.0.1, large_communities: [\"1:2:4294967296\"]}", "vips[0].large_communities[0]",
         "'1:2:4294967296' is not a large community (\"a:b:c\", each part 0-4294967295)"),
        ("", "{communities: []}", "vips[0].address", "required"),
    ])
    func refusedCombinations(prefix: String, vip: String, path: String, reason: String) throws {
        let line = prefix.isEmpty ? 2 : 3
        let e = try #require(onlyError(prefix + "vips:\n  - \(vip)\n"))
        #expect(e.path == path && e.reason == reason && e.line == line)
    }

    @Test(arguments: [
        ("0.0.0.0", "unspecified"), ("127.0.0.1", "loopback"), ("::1", "loopback"), ("239.1.1.1", "multicast"),
        ("ff02::1", "multicast"), ("255.255.255.255", "broadcast"), ("fe80::1", "link-local"),
    ])
    func unusableAddresses(address: String, kind: String) throws {
        let e = try #require(onlyError("vips:\n  - \"\(address)\"\n"))
        #expect(e.line == 2 && e.path == "vips[0]" && e.reason == "\(ip(address)) is a \(kind) address and cannot be a VIP")
    }

    @Test func duplicateVIPs() throws {
        let e = try #require(onlyError("vips:\n  - 10.0.0.1\n  - {address: 10.0.0.2}\n  - {address: 10.0.0.1, mode: arp}\n"))
        #expect(e.line == 4 && e.path == "vips[2]" && e.reason == "VIP 10.0.0.1 is already vips[0]")
    }

    @Test func wellKnownCommunityNames() throws {
        let v = try #require(parse("vips:\n  - {address: 10.0.0.1, communities: [graceful-shutdown, no-export, blackhole, \"0:0\"]}\n")?.vips.first)
        #expect(v.communities == [Community(0xFFFF_0000), Community(0xFFFF_FF01), Community(0xFFFF_029A), Community(0)])
        #expect(v.communities.map(\.description) == ["65535:0", "65535:65281", "65535:666", "0:0"])
    }
}
