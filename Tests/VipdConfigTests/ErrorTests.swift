import Testing
@testable import VipdConfig

/// Bad files: each error names the right line, key path and reason, and one
/// pass finds them all.
@Suite struct ErrorTests {
    @Test func wrongTypeOnLine7SaysLine7() throws {
        let e = try #require(onlyError("""
            router_id: 10.0.0.11
            asn: 65011
            peers:
              - address: 10.0.0.1
                asn: 65001
                port: 179
                hold_time: ninety
            """))
        #expect(e.line == 7)
        #expect(e.path == "peers[0].hold_time")
        #expect(e.description == "line 7: peers[0].hold_time: expected a whole number, 0-65535, found 'ninety'")
    }

    @Test func quotedNumberIsAString() throws {
        let e = try #require(onlyError("asn: \"65011\"\n"))
        #expect(e.line == 1 && e.path == "asn")
        #expect(e.reason.contains("found the string \"65011\""))
    }

    @Test func everyErrorInOnePass() {
        let e = errors("""
            asn: 70000000000
            state_dir: var/lib/vipd
            peers:
              - address: 10.0.0.1
                asn: 65001
                hold_time: 2
                keepalive: 45
              - address: 10.0.0.300
                asn: 0
                port: 0
                families: [ipv4-unicast, l2vpn-evpn]
              - address: 10.0.0.1
                asn: 65002
                multihop: 256
            vips:
              - 10.0.1.100
              - 10.0.1.100
              - address: 10.0.1.101
                communities: ["65011:100000"]
                large_communities: ["1:2"]
            bogus: 1
            """)
        let got = e.map { "\($0.line ?? 0) \($0.path)" }
        #expect(got == [
            "1 asn",
            "2 state_dir",
            "6 peers[0].hold_time",
            "8 peers[1].address",
            "9 peers[1].asn",
            "10 peers[1].port",
            "11 peers[1].families[1]",
            "12 peers[2].address",
            "14 peers[2].multihop",
            "17 vips[1]",
            "19 vips[2].communities[0]",
            "20 vips[2].large_communities[0]",
            "21 bogus",
        ])
        // hold_time 2 was refused, so keepalive 45 is judged against the
        // default 90 and is fine; it is not reported as a second error.
        #expect(!e.contains { $0.path == "peers[0].keepalive" })
    }

    @Test(arguments: [
        ("hold_time: 1", "1 is not allowed: a hold time is 0 (no keepalives) or 3-65535 seconds (RFC 4271 §4.2)"),
        ("hold_time: 2", "2 is not allowed: a hold time is 0 (no keepalives) or 3-65535 seconds (RFC 4271 §4.2)"),
        ("hold_time: 65536", "65536 is out of range (0-65535)"),
        ("hold_time: -3", "expected a whole number, 0-65535, found '-3'"),
    ])
    func badHoldTimes(line: String, reason: String) throws {
        let e = try #require(onlyError("asn: 1\npeers:\n  - address: 10.0.0.1\n    asn: 2\n    \(line)\n"))
        #expect(e.line == 5 && e.path == "peers[0].hold_time" && e.reason == reason)
    }

    @Test(arguments: [
        ("hold_time: 90\n    keepalive: 90", "keepalive", "90 must be less than hold_time 90 (usually a third of it)"),
        ("hold_time: 9\n    keepalive: 10", "keepalive", "10 must be less than hold_time 9 (usually a third of it)"),
        ("hold_time: 0\n    keepalive: 30", "keepalive", "30 with hold_time 0: no keepalives are sent without a hold time; leave keepalive out or set 0"),
        ("keepalive: 0", "keepalive", "0 would send no keepalives, and the peer would drop the session after hold_time 90; use 1-89"),
    ])
    func badKeepalives(lines: String, key: String, reason: String) throws {
        let e = try #require(onlyError("asn: 1\npeers:\n  - address: 10.0.0.1\n    asn: 2\n    \(lines)\n"))
        #expect(e.path == "peers[0].\(key)" && e.reason == reason)
        #expect(e.line == 4 + lines.split(separator: "\n").count)
    }

    @Test func unknownKeysWithHints() {
        let e = errors("""
            asn: 65011
            peers:
              - address: 10.0.0.1
                asn: 65001
                hold_tme: 30
            layer2:
              garp: {count: 3, interval: 100}
            routr_id: 1.2.3.4
            """)
        #expect(e.map(\.description) == [
            "line 5: peers[0].hold_tme: unknown key; did you mean 'hold_time'?",
            "line 7: layer2.garp.interval: unknown key (allowed here: count, interval_ms, refresh_s)",
            "line 8: routr_id: unknown key; did you mean 'router_id'?",
        ])
    }

    @Test func yamlSyntaxErrorsSayTheLine() throws {
        let e = try #require(onlyError("asn: 65011\npeers:\n  - address: 10.0.0.1\n   asn: [1, 2\n"))
        #expect(e.line != nil && e.reason.hasPrefix("not valid YAML"))
        let tab = try #require(onlyError("asn: 1\nlisten:\n\tport: 179\n"))
        #expect(tab.line == 3)
        let dup = try #require(onlyError("asn: 1\nrouter_id: 10.0.0.1\nasn: 2\n"))
        #expect(dup.line == 1 && dup.reason == "key 'asn' appears more than once in one mapping")
        let notMap = try #require(onlyError("- 10.0.0.1\n"))
        #expect(notMap.line == 1 && notMap.reason.hasPrefix("the config must be a mapping"))
    }

    @Test func asnRequiredWithPeers() throws {
        let e = try #require(onlyError("router_id: 10.0.0.11\npeers:\n  - address: 10.0.0.1\n    asn: 65001\n"))
        #expect(e.path == "asn" && e.line == 3 && e.reason == "required when peers are set (our AS number)")
        #expect(parse("peers: []\n")?.asn == nil)
    }

    @Test func missingRequiredKeysPointAtTheirMapping() {
        let e = errors("asn: 1\npeers:\n  - port: 179\n    passive: false\n")
        #expect(e.map(\.description) == [
            "line 3: peers[0].address: required",
            "line 3: peers[0].asn: required (the peer's AS number)",
        ])
    }

    @Test(arguments: [
        ("asn: 0", "AS 0 is reserved and cannot be used (RFC 7607)"),
        ("asn: 23456", "AS 23456 is AS_TRANS, which no speaker may use as its AS (RFC 6793)"),
        ("asn: 4294967296", "4294967296 is out of range (0-4294967295)"),
        ("router_id: fd00::1", "a BGP identifier is an IPv4 address (RFC 4271 §4.2), not fd00::1"),
        ("router_id: 0.0.0.0", "0.0.0.0 is not a valid BGP identifier (RFC 6286)"),
        ("router_id: 10.0.0.011", "'10.0.0.011' is not an IPv4 or IPv6 address"),
        ("metrics: {address: \"localhost:2112\"}", "'localhost:2112' is not address:port (\"127.0.0.1:2112\", \"[::1]:2112\")"),
        ("listen: {port: 0}", "0 is out of range (1-65535)"),
        ("interface: this-name-is-too-long", "'this-name-is-too-long' is not an interface name (1-15 characters, no '/', ':' or spaces)"),
        ("control: {socket: vipd.sock}", "'vipd.sock' is not an absolute path (it must start with /)"),
        ("fib: {table: 255}", "table 255 is the kernel's local table"),
        ("routing_table: {protocol: 2}", "protocol 2 is the kernel's own (0-3: unspec, redirect, kernel, boot); use 4-255"),
        ("drain: {wait: 0.0005}", "expected seconds, 0-3600, to the millisecond at most, found '0.0005'"),
        ("bestpath: {multipath: yes}", "expected true or false, found 'yes'"),
        ("layer2: {garp: {count: 0}}", "0 is out of range (1-100)"),
    ])
    func badTopLevelValues(yaml: String, reason: String) throws {
        let e = try #require(onlyError(yaml + "\n"))
        #expect(e.line == 1 && e.reason == reason)
    }

    @Test func errorsFromNestedFlowMappingsPointAtTheValue() throws {
        let e = try #require(onlyError("""
            asn: 1
            peers:
              - address: 10.0.0.1
                asn: 2
                max_prefix: {limit: 0, action: teardown}
            """))
        #expect(e.line == 5 && e.path == "peers[0].max_prefix.limit")
        #expect(e.location == .file(line: 5, column: 25))
    }

    @Test func aliasesExpandAndMergeKeysAreRefused() throws {
        let c = try #require(parse("vips: [&v 10.0.0.1]\nreal_server: {addresses: [*v]}\n"))
        #expect(c.realServer.addresses == [ip("10.0.0.1")])
        // Without the merge, the second peer has no asn either.
        let e = errors("asn: 1\npeers:\n  - &p {address: 10.0.0.1, asn: 2}\n  - <<: *p\n    address: 10.0.0.2\n")
        #expect(e.map { "\($0.line ?? 0) \($0.path)" } == ["4 peers[1].<<", "4 peers[1].asn"])
        #expect(e.first?.reason.hasPrefix("unknown key") == true)
    }

    @Test func wrongShapes() {
        let e = errors("peers:\n  -\nvips: 10.0.0.1\nlisten: [179]\nbestpath:\n  multipath: [true]\n")
        #expect(e.map(\.description) == [
            "line 2: asn: required when peers are set (our AS number)",
            "line 2: peers[0]: expected a mapping (key: value), found nothing",
            "line 3: vips: expected a list, found '10.0.0.1'",
            "line 4: listen: expected a mapping (key: value), found a list",
            "line 6: bestpath.multipath: expected true or false, found a list",
        ])
    }
}
