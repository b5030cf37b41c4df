import BGPCodec
import Testing
@testable import VipdConfig

@Suite struct PeerTests {
    func peer(_ lines: String, asn: UInt32 = 65011, extra: String = "") -> PeerConfig? {
        parse("asn: \(asn)\n\(extra)peers:\n  - \(lines.split(separator: "\n").joined(separator: "\n    "))\n")?.peers.first
    }

    @Test func defaultsForAnEBGPPeer() throws {
        let p = try #require(peer("address: 10.0.0.1\nasn: 65001"))
        var expected = PeerConfig(address: ip("10.0.0.1"), asn: 65001)
        expected.multihop = 1
        #expect(p == expected)
        #expect(p.port == 179 && !p.passive && p.password == nil && !p.ttlSecurity)
        #expect(p.holdTime == 90 && p.keepalive == 30 && p.families == [.ipv4Unicast])
        #expect(p.gracefulRestart == GracefulRestart(enabled: false, restartTime: 120))
        #expect(p.importPolicy == .acceptAll && p.exportPolicy == .vips && p.maxPrefix == nil && p.mrai == 0)
    }

    @Test func defaultsThatFollowOtherKeys() throws {
        // iBGP: TTL 255 unless multihop says otherwise.
        #expect(peer("address: 10.0.0.1\nasn: 65011")?.multihop == 255)
        #expect(peer("address: 10.0.0.1\nasn: 65011\nmultihop: 2")?.multihop == 2)
        // An IPv6 peer offers IPv6 unicast.
        #expect(peer("address: fd00::1\nasn: 65001")?.families == [.ipv6Unicast])
        // keepalive is a third of the hold time, rounded down; none without one.
        #expect(peer("address: 10.0.0.1\nasn: 65001\nhold_time: 10")?.keepalive == 3)
        #expect(peer("address: 10.0.0.1\nasn: 65001\nhold_time: 0")?.keepalive == 0)
        #expect(peer("address: 10.0.0.1\nasn: 65001\nhold_time: 3")?.keepalive == 1)
        #expect(peer("address: 10.0.0.1\nasn: 65001\nhold_time: 65535\nkeepalive: 65534")?.keepalive == 65534)
    }

    @Test func maxPrefixDefaults() throws {
        let p = try #require(peer("address: 10.0.0.1\nasn: 65001\nmax_prefix: {limit: 10}"))
        #expect(p.maxPrefix == MaxPrefix(limit: 10, warningPercent: 80, action: .teardown, restartAfter: 60))
        let e = try #require(onlyError("asn: 1\npeers:\n  - address: 10.0.0.1\n    asn: 2\n    max_prefix: {action: restart}\n"))
        #expect(e.line == 5 && e.path == "peers[0].max_prefix.limit" && e.reason.hasPrefix("required"))
    }

    @Test(arguments: [
        ("port: 65536", "peers[0].port", "65536 is out of range (1-65535)"),
        ("password: \"\"", "peers[0].password", "a TCP MD5 key is 1-80 bytes (Linux's TCP_MD5SIG_MAXKEYLEN), this one is 0"),
        ("password: \(String(repeating: "x", count: 81))", "peers[0].password", "a TCP MD5 key is 1-80 bytes (Linux's TCP_MD5SIG_MAXKEYLEN), this one is 81"),
        ("families: []", "peers[0].families", "at least one family is needed"),
        ("families: [ipv4-unicast, ipv4-unicast]", "peers[0].families[1]", "ipv4-unicast is listed twice"),
        ("families: ipv4-unicast", "peers[0].families", "expected a list, found 'ipv4-unicast'"),
        ("source_address: fd00::1", "peers[0].source_address", "fd00::1 is not of the peer's family (the peer is 10.0.0.1)"),
        ("graceful_restart: {restart_time: 4096}", "peers[0].graceful_restart.restart_time", "4096 is out of range (0-4095)"),
        ("import: from-tor", "peers[0].import", "no policy named 'from-tor' (built in: accept-all, accept-none; none is defined)"),
        ("export: everything", "peers[0].export", "no policy named 'everything' (built in: vips, all; none is defined)"),
        ("passive: true", "peers[0].passive", "a passive peer needs a listen section: without one vipd accepts no connections"),
        ("max_prefix: {limit: 5, action: shutdown}", "peers[0].max_prefix.action", "'shutdown' is not one of teardown, restart"),
        ("mrai: 65536", "peers[0].mrai", "65536 is out of range (0-65535)"),
    ])
    func refused(line: String, path: String, reason: String) throws {
        let e = try #require(onlyError("asn: 65011\npeers:\n  - address: 10.0.0.1\n    asn: 65001\n    \(line)\n"))
        #expect(e.line == 5 && e.path == path && e.reason == reason)
    }

    @Test(arguments: [
        ("0.0.0.0", "0.0.0.0 cannot be a peer"),
        ("224.0.0.5", "224.0.0.5 cannot be a peer"),
        ("fe80::1", "link-local peers need an interface scope, which the config does not have; use a global address"),
        ("fe80::1%eth0", "'fe80::1%eth0' is not an IPv4 or IPv6 address; zones (%eth0) are not supported"),
        ("10.0.0.0/24", "'10.0.0.0/24' is not an IPv4 or IPv6 address; write the address without a prefix length"),
    ])
    func refusedAddresses(address: String, reason: String) throws {
        let e = try #require(onlyError("asn: 65011\npeers:\n  - address: \(address)\n    asn: 65001\n"))
        #expect(e.line == 3 && e.path == "peers[0].address" && e.reason == reason)
    }

    @Test func passiveWithAListener() throws {
        let p = try #require(peer("address: 10.0.0.1\nasn: 65001\npassive: true", extra: "listen: {}\n"))
        #expect(p.passive)
    }

    @Test func policiesByName() throws {
        let c = try #require(parse("""
            asn: 65011
            policies:
              - name: in
                rules: [{match: {community: "no-export"}, action: {accept: false}}]
              - name: out
            peers:
              - {address: 10.0.0.1, asn: 65001, import: in, export: out}
              - {address: 10.0.0.2, asn: 65001, import: accept-none, export: all}
            """))
        #expect(c.peers[0].importPolicy == .policy("in") && c.peers[0].exportPolicy == .policy("out"))
        #expect(c.peers[1].importPolicy == .acceptNone && c.peers[1].exportPolicy == .all)
        #expect(c.policies[0].rules[0].match.community == Community(0xFFFF_FF01))
        #expect(c.policies[1].rules.isEmpty)
    }

    @Test func duplicatePeersAreSameAddressNotSameText() throws {
        let e = try #require(onlyError("asn: 1\npeers:\n  - {address: \"fd00::1\", asn: 2}\n  - {address: \"fd00:0::0:1\", asn: 3}\n"))
        #expect(e.line == 4 && e.reason == "peer fd00::1 is already peers[0]")
    }
}
