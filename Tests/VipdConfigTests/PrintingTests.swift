import BGPCodec
import Testing
@testable import VipdConfig

/// Canonical printing, after OpenBGPD's config regress tests: a file in,
/// its canonical form compared byte for byte, and the form read back.
@Suite struct PrintingTests {
    /// Parse, print, parse: the same value, and printing again gives the same bytes.
    func roundTrip(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let first = parse(yaml, sourceLocation: sourceLocation) else { return }
        let text = first.canonicalYAML
        guard let second = parse(text, sourceLocation: sourceLocation) else { return }
        #expect(second == first, "\(text)", sourceLocation: sourceLocation)
        #expect(second.canonicalYAML == text, sourceLocation: sourceLocation)
    }

    @Test func examplesRoundTrip() {
        roundTrip(ExampleTests.contract)
        roundTrip(Self.mixed)
        roundTrip(Self.issue3)
        roundTrip("")
    }

    @Test func emptyConfig() {
        #expect(VipdConfig().canonicalYAML == """
            state_dir: /var/lib/vipd
            control: {socket: /run/vipd/vipd.sock}
            metrics: {address: "127.0.0.1:2112"}
            bestpath: {always_compare_med: false, multipath: false}
            peers: []
            policies: []
            vips: []
            layer2:
              nodad: true
              garp: {count: 3, interval_ms: 100, refresh_s: 0}
            drain: {wait: 5, on_sigterm: false}
            fib: {install: false, table: 254, protocol: 186, metric: 20}
            routing_table: {table: 198, protocol: 248}
            services: []
            ipvs: {keep_on_exit: false}
            real_server: {addresses: []}

            """)
    }

    static let issue3 = """
        router_id: 10.0.0.11
        asn: 65011
        listen: {address: "::", port: 179}
        peers:
          - address: 10.0.0.1
            asn: 65001
            password: "secret"
            families: [ipv4-unicast, ipv6-unicast]
            graceful_restart: {enabled: true}
            source_address: 10.0.0.11
        vips:
          - 10.0.1.100
          - address: FD00:1:0::100
            communities: ["65011:100"]
            large_communities: ["65011:1:1"]
            med: 10
            local_pref: 200
            as_path_prepend: 2
        """

    @Test func issue3Canonical() {
        #expect(parse(Self.issue3)?.canonicalYAML == """
            router_id: 10.0.0.11
            asn: 65011
            state_dir: /var/lib/vipd
            control: {socket: /run/vipd/vipd.sock}
            metrics: {address: "127.0.0.1:2112"}
            listen: {address: "::", port: 179}
            bestpath: {always_compare_med: false, multipath: false}
            peers:
              - address: 10.0.0.1
                asn: 65001
                port: 179
                passive: false
                password: "secret"
                ttl_security: false
                multihop: 1
                hold_time: 90
                keepalive: 30
                families: [ipv4-unicast, ipv6-unicast]
                graceful_restart: {enabled: true, restart_time: 120}
                source_address: 10.0.0.11
                import: accept-all
                export: vips
                mrai: 0
            policies: []
            vips:
              - address: 10.0.1.100
                mode: bgp
                communities: []
                large_communities: []
                as_path_prepend: 0
                local: true
                advertise: all
                health: false
              - address: fd00:1::100
                mode: bgp
                communities: ["65011:100"]
                large_communities: ["65011:1:1"]
                med: 10
                local_pref: 200
                as_path_prepend: 2
                local: true
                advertise: all
                health: false
            layer2:
              nodad: true
              garp: {count: 3, interval_ms: 100, refresh_s: 0}
            drain: {wait: 5, on_sigterm: false}
            fib: {install: false, table: 254, protocol: 186, metric: 20}
            routing_table: {table: 198, protocol: 248}
            services: []
            ipvs: {keep_on_exit: false}
            real_server: {addresses: []}

            """)
    }

    /// IPv6 everywhere, an iBGP peer with GTSM, every VIP mode, a policy
    /// that rejects, a fwmark service, and values that need quoting.
    static let mixed = """
        node_name: "node#1"
        interface: eth0
        listen: {address: "fd00::11", port: 1179}
        asn: 4200000001
        router_id: 10.0.0.11
        election:
          endpoints: ["https://[fd00::2]:2379", "https://10.0.0.3:2379"]
          lease_ttl: 2
          tls: {ca_file: /etc/etcd/ca.pem}
        peers:
          - address: "fd00::1"
            asn: 4200000001
            password: 'se"cret'
            ttl_security: true
            hold_time: 9
            families: [ipv6-unicast, ipv4-unicast]
            import: reject-some
            export: all
            max_prefix: {limit: 100, action: restart, restart_after: 30}
            mrai: 5
        policies:
          - name: reject-some
            rules:
              - match: {prefix_list: ["fd00::/16 le 64", "10.0.0.0/8"]}
                action: {accept: false}
              - match: {}
                action: {med: 7}
          - name: empty
        vips:
          - address: "fd00:5::5"
            mode: arp
          - address: fd00:1::100
            advertise: leader
            standby_prepend: 2
            med: 0
            local_pref: 300
            large_communities: ["4200000001:0:7"]
          - {address: 10.0.3.1, mode: table, local: false}
        services:
          - fwmark: 12
            scheduler: mh
            forwarding: tunnel
            persistence: 300
            on_failure: remove
            health: {type: https, path: /ok, timeout: 0.25, ca_file: /etc/ca.pem}
            backends:
              - {address: "fd00:2::1", port: 443, weight: 0}
              - {address: "fd00:2::2", port: 443, forwarding: local}
          - {vip: "fd00:9::1", port: 53, protocol: udp, health: {type: none}}
        real_server: {addresses: ["fd00:9::1", 10.0.9.1]}
        drain: {wait: 2.5, on_sigterm: true}
        fib: {install: true, table: 100, protocol: 200, metric: 0}
        """

    @Test func mixedCanonical() {
        #expect(parse(Self.mixed)?.canonicalYAML == """
            node_name: "node#1"
            router_id: 10.0.0.11
            asn: 4200000001
            state_dir: /var/lib/vipd
            control: {socket: /run/vipd/vipd.sock}
            metrics: {address: "127.0.0.1:2112"}
            listen: {address: "fd00::11", port: 1179}
            interface: eth0
            bestpath: {always_compare_med: false, multipath: false}
            peers:
              - address: fd00::1
                asn: 4200000001
                port: 179
                passive: false
                password: "se\\"cret"
                ttl_security: true
                multihop: 1
                hold_time: 9
                keepalive: 3
                families: [ipv6-unicast, ipv4-unicast]
                graceful_restart: {enabled: false, restart_time: 120}
                import: reject-some
                export: all
                max_prefix: {limit: 100, warning_percent: 80, action: restart, restart_after: 30}
                mrai: 5
            policies:
              - name: reject-some
                rules:
                  - match: {prefix_list: ["fd00::/16 le 64", "10.0.0.0/8"]}
                    action: {accept: false}
                  - match: {}
                    action: {accept: true, med: 7, add_communities: []}
              - name: empty
                rules: []
            vips:
              - address: fd00:5::5
                mode: arp
                elected: true
                health: false
              - address: fd00:1::100
                mode: bgp
                communities: []
                large_communities: ["4200000001:0:7"]
                med: 0
                local_pref: 300
                as_path_prepend: 0
                local: true
                advertise: leader
                standby_prepend: 2
                health: false
              - address: 10.0.3.1
                mode: table
                local: false
                health: false
            layer2:
              nodad: true
              garp: {count: 3, interval_ms: 100, refresh_s: 0}
            election:
              backend: etcd
              endpoints: ["https://[fd00::2]:2379", "https://10.0.0.3:2379"]
              name: vipd-control-plane
              lease_ttl: 2
              tls: {ca_file: /etc/etcd/ca.pem}
            drain: {wait: 2.5, on_sigterm: true}
            fib: {install: true, table: 100, protocol: 200, metric: 0}
            routing_table: {table: 198, protocol: 248}
            services:
              - fwmark: 12
                scheduler: mh
                forwarding: tunnel
                persistence: 300
                on_failure: remove
                health: {type: https, path: /ok, interval: 1, timeout: 0.25, rise: 2, fall: 2, hold_down: 0, expect_status: [200], ca_file: /etc/ca.pem, insecure_skip_verify: false}
                backends:
                  - {address: "fd00:2::1", port: 443, weight: 0}
                  - {address: "fd00:2::2", port: 443, weight: 1, forwarding: local}
              - vip: fd00:9::1
                port: 53
                protocol: udp
                scheduler: wlc
                forwarding: direct
                persistence: 0
                on_failure: quiesce
                health: {type: none}
                backends: []
            ipvs: {keep_on_exit: false}
            real_server: {addresses: ["fd00:9::1", 10.0.9.1]}

            """)
    }

    /// Configs built in code, covering the values that need care when
    /// printed, read back equal.
    @Test func builtConfigsRoundTrip() throws {
        var c = VipdConfig()
        c.nodeName = "n-1.example"
        c.asn = 1
        c.listen = ListenConfig(address: ip("0.0.0.0"), port: 179)
        c.metrics = MetricsConfig(address: SocketAddress(ip("::1"), port: 9100))
        c.control.socket = "/run/vipd/a b.sock"  // a space: quoted in the flow mapping
        var p = PeerConfig(address: ip("192.0.2.1"), asn: 4_294_967_295)
        p.password = "p#ss: {x}, [y] 'z'\\"
        p.holdTime = 0
        p.keepalive = 0
        p.sourceAddress = ip("192.0.2.2")
        c.peers = [p]
        c.policies = [Policy(name: "true", rules: [PolicyRule(match: PolicyMatch(asPath: "_65001$ \"x\""))])]
        c.vips = [VIPConfig(address: ip("2001:db8::1"), mode: .table)]
        c.health = HealthCheck(type: .http)
        c.health?.url = "http://[::1]:8080/ready?x=1&y=2"
        c.health?.interval = Seconds(milliseconds: 1001)
        c.health?.timeout = Seconds(milliseconds: 1)
        c.vips[0].health = true
        c.layer2.garp = GARPConfig(count: 100, intervalMs: 0, refreshS: 86_400)
        var s = ServiceConfig(frontend: .address(ip("2001:db8::1"), port: 443))
        s.backends = [ServiceConfig.Backend(address: ip("2001:db8::2"), port: 8443, weight: 65535)]
        c.services = [s]
        c.realServer.addresses = [ip("::ffff:192.0.2.9")]
        let text = c.canonicalYAML
        let back = try #require(parse(text))
        #expect(back == c, "\(text)")
    }

    @Test(arguments: [
        ("node1", "node1"), ("10.0.0.1", "10.0.0.1"), ("fd00::1", "fd00::1"), ("::", "\"::\""),
        ("true", "\"true\""), ("yes", "\"yes\""), ("Null", "\"Null\""), ("123", "\"123\""), ("1.5", "\"1.5\""),
        ("1e3", "\"1e3\""), ("0x1F", "\"0x1F\""), ("", "\"\""), ("a b", "\"a b\""), ("-x", "\"-x\""),
        ("a#b", "\"a#b\""), ("tab\there", "\"tab\\there\""), ("bell\u{7}", "\"bell\\x07\""), ("ends:", "\"ends:\""),
    ])
    func scalarQuoting(value: String, printed: String) throws {
        #expect(YAMLText.scalar(value) == printed)
        // Whatever the form, it reads back as the same string (as_path
        // takes any text that compiles as a regular expression).
        let c = try #require(parse("policies:\n  - name: p\n    rules:\n      - match:\n          as_path: \(printed)\n"))
        #expect(c.policies.first?.rules.first?.match.asPath == value)
    }

    @Test func secondsText() {
        let cases: [(Int64, String)] = [(0, "0"), (500, "0.5"), (1000, "1"), (1250, "1.25"), (1, "0.001"), (10_010, "10.01")]
        for (ms, text) in cases {
            #expect(Seconds(milliseconds: ms).description == text)
            #expect(Seconds(text) == Seconds(milliseconds: ms))
        }
        #expect(Seconds("1.") == nil && Seconds(".5") == nil && Seconds("-1") == nil && Seconds("1.0001") == nil && Seconds("1e3") == nil)
    }
}
