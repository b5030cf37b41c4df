import BGPCodec
import Foundation
import Testing
@testable import VipdConfig

/// The examples of interfaces.md and the issues parse, and mean what they say.
@Suite struct ExampleTests {
    /// interfaces.md's "one schema for every issue", copied with the `...`
    /// of election.tls filled in.
    static let contract = """
        node_name: node1                  # default: the host name
        router_id: 10.0.0.11              # default: the first IPv4 address of the default-route interface; refused only if there is none and peers are set
        asn: 65011                        # required when peers is non-empty
        state_dir: /var/lib/vipd          # records of what vipd created, for clean-up after a crash
        control: {socket: /run/vipd/vipd.sock}
        metrics: {address: "127.0.0.1:2112"}
        listen: {address: "::", port: 179}
        interface: eth0                   # for ARP/NDP VIPs; default: the interface of the default route
        bestpath: {always_compare_med: false, multipath: false}
        peers:                            # the sessions issue's keys, plus:
          - address: 10.0.0.1
            asn: 65001
            import: accept-all            # accept-all | accept-none | the name of a policy
            export: vips                  # vips (default) | all | the name of a policy
            max_prefix: {limit: 1000, warning_percent: 80, action: teardown, restart_after: 60}   # action: teardown | restart
            mrai: 0                       # seconds
        policies:
          - name: from-tor
            rules:                        # first match wins; no match = reject
              - match: {prefix_list: ["10.0.0.0/8 ge 24 le 32"], community: "65001:1", as_path: "^65001 "}
                action: {accept: true, local_pref: 200, med: 10, add_communities: ["65011:7"]}
        vips:
          - 10.0.1.100                    # a plain string means {address: 10.0.1.100}
          - address: fd00:1::100
            mode: bgp                     # bgp (default) | arp | table
            communities: ["65011:100"]    # bgp: communities, large_communities, med, local_pref (iBGP only), as_path_prepend
            local: true                   # bgp and table: also add the address to lo while announced, so the node accepts its traffic (default true)
            advertise: all                # bgp: all (every node, ECMP) | leader (only the election's leader)
            standby_prepend: 0            # bgp with advertise: leader; non-leaders advertise with N extra prepends instead of not at all
            elected: true                 # arp: owned only by the election's leader; default and only allowed value when an election is set
            health: true                  # gated on the health check, in every mode (default true when health is set)
        layer2:
          nodad: true                     # IPv6 VIPs without duplicate address detection
          garp: {count: 3, interval_ms: 100, refresh_s: 0}   # burst at takeover; optional periodic refresh
        election:
          backend: etcd
          endpoints: ["http://10.0.0.1:2379"]
          name: vipd-control-plane
          lease_ttl: 5                    # seconds; default 5, which is safe with etcd's default timings; 2 with a tuned etcd (see below)
          tls: {ca_file: /etc/kubernetes/pki/etcd/ca.crt, cert_file: /etc/kubernetes/pki/apiserver-etcd-client.crt, key_file: /etc/kubernetes/pki/apiserver-etcd-client.key}   # optional; a kubeadm etcd needs client certificates
        health:                           # one check schema, for this node check and for IPVS backends alike
          type: https                     # tcp | http | https | none
          url: https://127.0.0.1:6443/readyz   # the node check's target (a tcp check takes `target: HOST:PORT`); an IPVS backend check takes `path` and uses the backend's address and port
          interval: 1                     # defaults: interval 1, timeout 0.5, rise 2, fall 2
          timeout: 0.5
          rise: 2
          fall: 2
          hold_down: 10                   # after a fall, stay down at least this long (flap dampening)
          expect_status: [200]
          ca_file: /etc/kubernetes/pki/ca.crt  # or insecure_skip_verify: true
        drain: {wait: 5, on_sigterm: false}    # RFC 8326 graceful shutdown before withdrawal
        fib: {install: false, table: 254, protocol: 186, metric: 20}    # FIB install of best routes
        routing_table: {table: 198, protocol: 248}                        # where mode: table VIPs go
        services:                         # IPVS, as in the IPVS issue, plus:
          - vip: 10.9.0.100               # or fwmark: N instead of vip and port
            port: 80
            on_failure: quiesce           # quiesce (weight 0) | remove
            backends:
              - {address: 10.9.1.11, port: 80, weight: 1, forwarding: nat}   # forwarding per backend overrides the service's
        ipvs: {keep_on_exit: false}
        real_server: {addresses: [192.168.113.200]}    # this node is a DR/tunnel backend for these virtual addresses

        """

    @Test func contractExampleParses() throws {
        let c = try #require(parse(Self.contract))
        #expect(c.nodeName == "node1")
        #expect(c.routerID == v4("10.0.0.11"))
        #expect(c.asn == 65011)
        #expect(c.listen == ListenConfig(address: ip("::"), port: 179))
        #expect(c.metrics.address == SocketAddress(ip("127.0.0.1"), port: 2112))
        #expect(c.interface == "eth0")

        let peer = try #require(c.peers.first)
        #expect(c.peers.count == 1)
        #expect(peer.address == ip("10.0.0.1") && peer.asn == 65001)
        #expect(peer.importPolicy == .acceptAll && peer.exportPolicy == .vips)
        #expect(peer.maxPrefix == MaxPrefix(limit: 1000, warningPercent: 80, action: .teardown, restartAfter: 60))
        #expect(peer.holdTime == 90 && peer.keepalive == 30 && peer.port == 179 && peer.multihop == 1)
        #expect(peer.families == [.ipv4Unicast])

        let rule = try #require(c.policies.first?.rules.first)
        #expect(c.policies.map(\.name) == ["from-tor"])
        #expect(rule.match.prefixList == [PrefixListEntry(prefix: IPPrefix("10.0.0.0/8")!, ge: 24, le: 32)])
        #expect(rule.match.community == Community(65001, 1))
        #expect(rule.match.asPath == "^65001 ")
        #expect(rule.action == PolicyAction(accept: true, localPref: 200, med: 10, addCommunities: [Community(65011, 7)]))

        #expect(c.vips.map(\.address) == [ip("10.0.1.100"), ip("fd00:1::100")])
        #expect(c.vips[0].mode == .bgp && c.vips[0].health && c.vips[0].local)
        #expect(c.vips[1].communities == [Community(65011, 100)] && c.vips[1].advertise == .all)
        #expect(!c.vips[1].elected)  // elected is an ARP key; a BGP VIP ignores it

        #expect(c.election?.endpoints == ["http://10.0.0.1:2379"])
        #expect(c.election?.tls?.certFile == "/etc/kubernetes/pki/apiserver-etcd-client.crt")
        let h = try #require(c.health)
        #expect(h.type == .https && h.url == "https://127.0.0.1:6443/readyz")
        #expect(h.timeout == Seconds(milliseconds: 500) && h.holdDown == 10 && h.caFile == "/etc/kubernetes/pki/ca.crt")

        let s = try #require(c.services.first)
        #expect(s.frontend == .address(ip("10.9.0.100"), port: 80))
        #expect(s.backends == [ServiceConfig.Backend(address: ip("10.9.1.11"), port: 80, weight: 1, forwarding: .nat)])
        #expect(s.forwarding(of: s.backends[0]) == .nat && s.health == .defaultBackendCheck)
        #expect(c.realServer.addresses == [ip("192.168.113.200")])
    }

    /// The contract itself, when ../shared sits beside the repository (as
    /// for developers and CI): its YAML block still parses.
    static let contractFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/design/interfaces.md")

    @Test(.enabled(if: FileManager.default.fileExists(atPath: contractFile.path)))
    func liveContractParses() throws {
        let md = try String(contentsOf: Self.contractFile, encoding: .utf8)
        let section = try #require(md.range(of: "## The config file (YAML)"))
        let start = try #require(md.range(of: "```yaml\n", range: section.upperBound..<md.endIndex))
        let end = try #require(md.range(of: "```", range: start.upperBound..<md.endIndex))
        let yaml = String(md[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "...", with: "/etc/vipd/etcd.pem")
        let c = try #require(parse(yaml))
        #expect(!c.peers.isEmpty && !c.vips.isEmpty && c.election != nil && c.health != nil && !c.services.isEmpty)
    }

    @Test func issue3Example() throws {
        let c = try #require(parse("""
            router_id: 10.0.0.11
            asn: 65011
            listen: {address: "::", port: 179}   # omit to stay active-only
            peers:
              - address: 10.0.0.1                # IPv4 or IPv6
                asn: 65001
                port: 179
                passive: false
                password: "secret"               # TCP MD5
                ttl_security: false              # GTSM
                multihop: 1                      # eBGP TTL
                hold_time: 90
                keepalive: 30
                families: [ipv4-unicast, ipv6-unicast]
                graceful_restart: {enabled: true, restart_time: 120}
                source_address: 10.0.0.11
            vips:
              - 10.0.1.100                       # advertised as /32
              - address: fd00:1::100             # advertised as /128 with MP_REACH
                communities: ["65011:100"]
                large_communities: ["65011:1:1"]
                med: 10
                local_pref: 200                  # iBGP only
                as_path_prepend: 2
            """))
        let p = try #require(c.peers.first)
        #expect(p.password == "secret" && !p.ttlSecurity && p.multihop == 1)
        #expect(p.families == [.ipv4Unicast, .ipv6Unicast])
        #expect(p.gracefulRestart == GracefulRestart(enabled: true, restartTime: 120))
        #expect(p.sourceAddress == ip("10.0.0.11"))
        let v = c.vips[1]
        #expect(v.largeCommunities == [LargeCommunity(65011, 1, 1)])
        #expect(v.med == 10 && v.localPref == 200 && v.asPathPrepend == 2)
        #expect(!v.health)  // no health check is set
    }

    @Test func issue6Example() throws {
        let c = try #require(parse("""
            node_name: node1
            interface: eth0
            election:
              backend: etcd
              endpoints: ["http://10.0.0.1:2379"]
              name: vipd-control-plane
              lease_ttl: 5
            health:
              type: https
              url: https://127.0.0.1:6443/readyz
              interval: 1
              timeout: 0.5
              fall: 3
              rise: 2
              ca_file: /etc/kubernetes/pki/ca.crt
            vips:
              - address: 10.0.0.100
                mode: arp
            """))
        // An ARP-only node: no peers and no asn.
        #expect(c.peers.isEmpty && c.asn == nil)
        #expect(c.vips[0].mode == .arp && c.vips[0].elected && c.vips[0].health && !c.vips[0].local)
        #expect(c.health?.fall == 3)
    }

    @Test func issue7Example() throws {
        let c = try #require(parse("""
            services:
              - vip: 192.168.113.200
                port: 8443
                protocol: tcp
                scheduler: wlc
                forwarding: direct
                persistence: 0
                on_failure: quiesce
                backends:
                  - {address: 192.168.113.22, port: 8443, weight: 1}
                  - {address: 192.168.113.23, port: 8443, weight: 1}
                health: {type: tcp, interval: 1, timeout: 0.5, rise: 2, fall: 2}
            real_server:
              addresses: [192.168.113.200]
            """))
        let s = try #require(c.services.first)
        #expect(s.scheduler == .wlc && s.forwarding == .direct && s.backends.count == 2)
        #expect(s.health == HealthCheck(type: .tcp))
    }

    @Test func emptyFileIsEveryDefault() throws {
        #expect(parse("") == VipdConfig())
        #expect(parse("# nothing but a comment\n") == VipdConfig())
        let c = VipdConfig()
        #expect(c.stateDir == "/var/lib/vipd" && c.control.socket == "/run/vipd/vipd.sock")
        #expect(c.metrics.address.description == "127.0.0.1:2112")
        #expect(c.listen == nil && c.election == nil && c.health == nil)
        #expect(c.layer2.nodad && c.layer2.garp == GARPConfig(count: 3, intervalMs: 100, refreshS: 0))
        #expect(c.drain == DrainConfig(wait: 5, onSigterm: false))
        #expect(c.fib.table == 254 && c.fib.routeProtocol == 186 && c.fib.metric == 20 && !c.fib.install)
        #expect(c.routingTable.table == 198 && c.routingTable.routeProtocol == 248)
    }
}
